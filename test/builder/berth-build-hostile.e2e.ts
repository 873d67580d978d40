import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BERTH_BIN, runBerth } from '../support/berth-process';
import { eventually } from '../support/test-env';

const isRoot = process.getuid?.() === 0;

describe('berth build: ADD, here-documents and hostile input', { skip: !isRoot && 'needs root for overlay mounts and runc' }, () => {
  let dataDir: string;
  let work: string;
  const env = () => ({ ...process.env, BERTH_DATA_DIR: dataDir });
  const build = (context: string, ...args: string[]) => runBerth(['build', context, ...args], env());

  async function context(dockerfile: string, files: Record<string, string> = {}): Promise<string> {
    const dir = await fs.mkdtemp(path.join(work, 'ctx-'));
    await fs.writeFile(path.join(dir, 'Dockerfile'), dockerfile);
    for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(dir, name), content);
    return dir;
  }

  /** Builds an image and prints a file of it with a RUN step; answers the build's stdout. */
  function buildOk(dir: string): string {
    const result = build(dir);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    return result.stdout;
  }

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-hostile-data-'));
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-hostile-'));
    const base = await fs.mkdtemp(path.join(work, 'base-'));
    await fs.copyFile('/bin/busybox', path.join(base, 'busybox'));
    await fs.writeFile(path.join(base, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n');
    assert.equal(build(base, '-t', 'busybox:test').status, 0);
  });

  after(async () => {
    await fs.rm(work, { recursive: true, force: true });
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('ADD unpacks a local .tar.gz and copies other files as they are', async () => {
    const dir = await context('FROM busybox:test\nADD bundle.tar.gz /opt/\nADD note.txt /opt/\nRUN cat /opt/pkg/hello.txt /opt/note.txt\n', { 'note.txt': 'plain\n' });
    await fs.mkdir(path.join(work, 'pkg'));
    await fs.writeFile(path.join(work, 'pkg', 'hello.txt'), 'unpacked\n');
    assert.equal(spawnSync('tar', ['-czf', path.join(dir, 'bundle.tar.gz'), '-C', work, 'pkg']).status, 0);
    assert.match(buildOk(dir), /^unpacked\nplain$/m);
  });

  it('ADD refuses an archive with a path leaving the destination', async () => {
    const dir = await context('FROM busybox:test\nADD evil.tar /target/\n');
    assert.equal(spawnSync('tar', ['-cf', path.join(dir, 'evil.tar'), '-P', '--transform', 's,^,../../,', '-C', dir, 'Dockerfile']).status, 0);
    const result = build(dir);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /\.\." component|outside/);
  });

  it('ADD refuses a tar bomb', async () => {
    const dir = await context('FROM busybox:test\nADD bomb.tar.gz /b/\n');
    const zeros = path.join(work, 'zeros');
    await fs.writeFile(zeros, '');
    await fs.truncate(zeros, 300 * 1024 * 1024);
    assert.equal(spawnSync('tar', ['-czf', path.join(dir, 'bomb.tar.gz'), '-C', work, 'zeros']).status, 0);
    await fs.rm(zeros);
    const result = build(dir);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /tar bomb/);
  });

  it('ADD downloads a URL, and checks --checksum', async () => {
    // The server runs in its own process: runBerth blocks this one while the build runs.
    const script = "require('http').createServer((q, s) => s.end('downloaded\\n')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })";
    const server = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((resolve) => server.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    const url = `http://127.0.0.1:${port}/files/data.txt`;
    try {
      assert.match(buildOk(await context(`FROM busybox:test\nADD ${url} /d/\nRUN cat /d/data.txt && stat -c %a /d/data.txt\n`)), /^downloaded\n600$/m);
      const bad = build(await context(`FROM busybox:test\nADD --checksum=sha256:${'0'.repeat(64)} ${url} /d/\n`));
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /does not match --checksum/);
    } finally {
      server.kill();
    }
  });

  it('runs a RUN here-document with a #! line as an executable', async () => {
    const dir = await context('FROM busybox:test\nRUN <<EOF\n#!/bin/sh\necho "from a here-document: $0"\nEOF\n');
    assert.match(buildOk(dir), /^from a here-document: \/dev\/pipes\/EOF$/m);
  });

  it('a build killed with SIGKILL half way leaves the next build and the GC working', async () => {
    const dir = await context('FROM busybox:test\nRUN echo started && sleep 60\n');
    // In-process: the killed process is the builder itself (build-daemon.e2e kills a daemon).
    const child = spawn(process.execPath, [BERTH_BIN, 'build', dir], { env: { ...env(), BERTH_BUILD_DAEMON: 'off' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(async () => output.includes('started'), 30_000, 'the RUN step to start');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await fs.writeFile(path.join(dir, 'Dockerfile'), 'FROM busybox:test\nRUN echo after the kill\n');
    assert.match(buildOk(dir), /^after the kill$/m);
    const mounts = await fs.readFile('/proc/self/mountinfo', 'utf8');
    assert.ok(!mounts.includes(dataDir), 'no overlay mount of the killed build is left');
    const gc = runBerth(['image', 'gc'], env());
    assert.equal(gc.status, 0, gc.stderr);
    assert.equal(runBerth(['build', dir], env()).status, 0, 'the store is sound after the GC');
  });
});
