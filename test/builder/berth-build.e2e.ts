import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBerth } from '../support/berth-process';

const DOCKER = '/usr/bin/docker';
const isRoot = process.getuid?.() === 0;

/** Writes a build context: file name -> content (executable when given as { exec }). */
async function writeContext(files: Record<string, string | Buffer | { exec: Buffer }>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-ctx-'));
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    const executable = typeof content === 'object' && 'exec' in content;
    await fs.writeFile(path.join(dir, name), executable ? content.exec : content, { mode: executable ? 0o755 : 0o644 });
  }
  return dir;
}

describe('berth build', { skip: !isRoot && 'needs root for overlay mounts and runc' }, () => {
  let dataDir: string;
  const env = () => ({ ...process.env, BERTH_DATA_DIR: dataDir });
  const build = (args: string[]) => runBerth(['build', ...args], env());
  const digestOf = (stdout: string) => stdout.trim().split('\n').at(-1)!;

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-build-data-'));
    // The base image is made by Berth itself: no registry is reachable from tests.
    const base = await writeContext({
      busybox: { exec: await fs.readFile('/bin/busybox') },
      Dockerfile: 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
    });
    const result = build([base, '-t', 'busybox:test']);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  after(async () => fs.rm(dataDir, { recursive: true, force: true }));

  it('builds layer by layer, prints Docker-like steps and ends with the manifest digest', async () => {
    const context = await writeContext({
      'app/main.sh': 'echo "running $GREETING"\n',
      Dockerfile: 'FROM busybox:test\nENV GREETING=hello\nWORKDIR /srv\nCOPY app/ ./\nRUN sh main.sh > out.txt && cat out.txt\nCMD ["cat", "/srv/out.txt"]\n',
    });
    const result = build([context, '-t', 'hello:1']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Step 1\/6 : FROM busybox:test$/m);
    assert.match(result.stdout, /^Step 5\/6 : RUN sh main.sh/m);
    assert.match(result.stdout, /^running hello$/m, 'RUN output is streamed');
    assert.match(digestOf(result.stdout), /^sha256:[0-9a-f]{64}$/);
  });

  it('reuses every step when nothing changed, and rebuilds from the changed file on', async () => {
    const context = await writeContext({ 'a.txt': 'one', 'b.txt': 'two', Dockerfile: 'FROM busybox:test\nCOPY a.txt /a\nRUN cat /a > /a.copy\nCOPY b.txt /b\n' });
    const first = build([context]);
    const second = build([context]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal((second.stdout.match(/Using cache/g) ?? []).length, 3);
    assert.equal(digestOf(second.stdout), digestOf(first.stdout), 'a fully cached build is the same image');
    await fs.writeFile(path.join(context, 'b.txt'), 'changed');
    const third = build([context]);
    assert.equal((third.stdout.match(/Using cache/g) ?? []).length, 2, 'only the steps before the change are reused');
    assert.notEqual(digestOf(third.stdout), digestOf(first.stdout));
  });

  it('builds multi-stage Dockerfiles, COPY --from and --target', async () => {
    const context = await writeContext({
      Dockerfile: [
        'FROM busybox:test AS builder',
        'RUN mkdir /out && echo built > /out/artifact',
        'FROM busybox:test AS unused',
        'RUN exit 1',
        'FROM scratch AS final',
        'COPY --from=builder /out/artifact /artifact',
      ].join('\n'),
    });
    const result = build([context, '--target', 'final', '-t', 'multi:1']);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /RUN exit 1/, 'stages the target does not need are skipped');
  });

  it('shows the exit code and last lines of a failing RUN, and the store keeps working', async () => {
    const context = await writeContext({ Dockerfile: 'FROM busybox:test\nRUN echo "about to fail" && exit 7\n' });
    const result = build([context]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /line 2: RUN .* failed with exit code 7/);
    assert.match(result.stderr, /about to fail/);
    assert.equal(runBerth(['image', 'ls'], env()).status, 0);
  });

  it('refuses a malformed Dockerfile naming the line', async () => {
    const context = await writeContext({ Dockerfile: 'FROM busybox:test\nRUN --mount=type=cache,target=/x true\n' });
    const result = build([context]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Dockerfile:2: RUN --mount is not supported/);
  });

  it('refuses sources outside the context', async () => {
    const context = await writeContext({ Dockerfile: 'FROM busybox:test\nCOPY ../secret /secret\n' });
    await fs.symlink('/etc/passwd', path.join(context, 'passwd-link'));
    await fs.writeFile(path.join(context, 'Dockerfile.link'), 'FROM busybox:test\nCOPY passwd-link /p\n');
    assert.match(build([context]).stderr, /outside the build context/);
    assert.match(build([context, '-f', 'Dockerfile.link']).stderr, /outside the build context/);
  });

  it('saves an archive that Docker loads and runs', { skip: !dockerAnswers() && 'Docker Engine is not running' }, async () => {
    const archive = path.join(dataDir, 'hello.tar');
    assert.equal(runBerth(['image', 'save', 'hello:1', '-o', archive], env()).status, 0);
    const load = spawnSync(DOCKER, ['load', '-i', archive], { encoding: 'utf8' });
    assert.equal(load.status, 0, load.stderr);
    const run = spawnSync(DOCKER, ['run', '--rm', '--network', 'host', 'hello:1'], { encoding: 'utf8' });
    assert.equal(run.stdout, 'running hello\n', run.stderr);
    spawnSync(DOCKER, ['rmi', 'hello:1']);
  });
});

function dockerAnswers(): boolean {
  return spawnSync(DOCKER, ['version'], { encoding: 'utf8' }).status === 0;
}
