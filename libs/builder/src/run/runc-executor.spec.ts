import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NodeCommandRunner } from './command-runner';
import { RuncExecutor } from './runc-executor';

const canRun = process.getuid?.() === 0;

describe('RuncExecutor (runc over overlayfs)', { skip: !canRun && 'needs root for overlay mounts and runc' }, () => {
  let dir: string;
  let base: string;
  let executor: RuncExecutor;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-runc-'));
    base = path.join(dir, 'base');
    await fs.mkdir(path.join(base, 'bin'), { recursive: true });
    await fs.mkdir(path.join(base, 'etc'));
    await fs.copyFile('/bin/busybox', path.join(base, 'bin/busybox'));
    await fs.symlink('busybox', path.join(base, 'bin/sh'));
    await fs.writeFile(path.join(base, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
    await fs.writeFile(path.join(base, 'etc/group'), 'root:x:0:\napp:x:1000:\nextra:x:2000:app\n');
    await fs.writeFile(path.join(base, 'etc/old'), 'old');
    executor = new RuncExecutor(new NodeCommandRunner(), { runtime: 'runc', stateDir: path.join(dir, 'state') });
  });

  after(async () => fs.rm(dir, { recursive: true, force: true }));

  async function run(script: string, user = 'root', lowerDirs = [base]) {
    const upperDir = await fs.mkdtemp(path.join(dir, 'upper-'));
    const output: string[] = [];
    const result = await executor.run({
      lowerDirs,
      upperDir,
      args: ['/bin/sh', '-c', script],
      env: ['PATH=/bin', 'GREETING=hello'],
      cwd: '/work',
      user,
      onOutput: (_, chunk) => output.push(chunk.toString()),
    });
    return { ...result, output: output.join(''), upperDir };
  }

  it('runs the command with the env, cwd and user, streams output and reports the exit code', async () => {
    const result = await run('echo $GREETING; /bin/busybox pwd; /bin/busybox id; exit 3', 'app');
    assert.equal(result.exitCode, 3);
    assert.match(result.output, /^hello\n\/work\nuid=1000\(app\) gid=1000\(app\) groups=.*2000\(extra\)\n$/);
  });

  it('captures changes in the upper dir as overlay whiteouts, without mount stubs', async () => {
    const result = await run('echo new > /etc/new; /bin/busybox rm /etc/old');
    assert.equal(result.exitCode, 0);
    assert.equal(await fs.readFile(path.join(result.upperDir, 'etc/new'), 'utf8'), 'new\n');
    const whiteout = await fs.lstat(path.join(result.upperDir, 'etc/old'));
    assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0, 'a deleted file is a 0/0 character device');
    const top = (await fs.readdir(result.upperDir)).sort();
    assert.deepEqual(top, ['etc', 'work'], 'no /proc, /dev, /sys stubs leak into the layer');
    assert.deepEqual((await fs.readdir(path.join(result.upperDir, 'etc'))).sort(), ['new', 'old']);
  });

  it("reads the finished upper dir's xattrs for the layer: a directory deleted and made again is opaque", async () => {
    const data = await fs.mkdtemp(path.join(dir, 'data-layer-'));
    await fs.mkdir(path.join(data, 'data'));
    await fs.writeFile(path.join(data, 'data/old.txt'), 'old');
    const result = await run('/bin/busybox rm -r /data && /bin/busybox mkdir /data && echo x > /data/fresh', 'root', [data, base]);
    assert.equal(result.exitCode, 0);
    const xattrs = await result.xattrs!;
    assert.equal(xattrs.get(path.join(result.upperDir, 'data'))?.get('trusted.overlay.opaque')?.toString(), 'y');
    assert.deepEqual(await fs.readdir(path.join(result.upperDir, 'data')), ['fresh']);
  });

  it('reads no xattrs after a failed step', async () => {
    const result = await run('exit 1');
    assert.equal(result.exitCode, 1);
    assert.equal(result.xattrs, undefined);
  });

  it('runs in its own pid namespace and never writes to the lower dirs', async () => {
    const result = await run('echo $$; echo x > /bin/written');
    assert.equal(result.output.trim(), '1');
    await assert.rejects(fs.stat(path.join(base, 'bin/written')));
  });

  it('refuses a user the image does not know', async () => {
    await assert.rejects(run('true', 'nobody-here'), /unable to find user nobody-here/);
  });
});
