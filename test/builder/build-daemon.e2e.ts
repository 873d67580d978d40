import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildBaseImage } from '../support/base-image';
import { BERTH_BIN, processAlive, runBerth } from '../support/berth-process';
import { eventually } from '../support/test-env';

const isRoot = process.getuid?.() === 0;

/** `berth build` through the warm build daemon that the first build starts (BERTH_BUILD_DAEMON=auto). */
describe('berth build daemon', { skip: !isRoot && 'needs root for overlay mounts and runc' }, () => {
  let dataDir: string;
  let work: string;
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, BERTH_DATA_DIR: dataDir, ...extra });
  const build = (context: string, extra: Record<string, string> = {}, ...args: string[]) => runBerth(['build', context, ...args], env(extra));
  const daemonLog = () => fs.readFile(path.join(dataDir, 'logs', 'build-daemon.log'), 'utf8').catch(() => '');
  const servingPids = async () => [...(await daemonLog()).matchAll(/build daemon (\d+) serving/g)].map((match) => Number(match[1]));
  const socketPath = () => path.join(dataDir, 'run', 'builder-v1.sock');

  async function context(dockerfile: string): Promise<string> {
    const dir = await fs.mkdtemp(path.join(work, 'ctx-'));
    await fs.writeFile(path.join(dir, 'Dockerfile'), dockerfile);
    return dir;
  }

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-daemon-data-'));
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-daemon-'));
    await buildBaseImage(dataDir);
  });

  after(async () => {
    const pids = await servingPids();
    // Removing the data dir is how a daemon learns it is no longer wanted.
    await fs.rm(dataDir, { recursive: true, force: true });
    await fs.rm(work, { recursive: true, force: true });
    await eventually(async () => pids.every((pid) => !processAlive(pid)), 15_000, 'the daemons to leave once their data dir is gone');
  });

  it('serves every build from one warm daemon, with the same output and digest as an in-process build', async () => {
    const dir = await context('FROM busybox:test\nRUN echo hello from the daemon > /greeting && cat /greeting\n');
    const first = build(dir);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^hello from the daemon$/m);
    const again = build(dir);
    assert.match(again.stdout, /Using cache/);
    const pids = await servingPids();
    assert.equal(pids.length, 1, 'one daemon served both builds');
    assert.ok(processAlive(pids[0]) && existsSync(socketPath()));
    const inProcess = build(dir, { BERTH_BUILD_DAEMON: 'off' });
    assert.equal(inProcess.status, 0, inProcess.stderr);
    assert.equal(inProcess.stdout.trim().split('\n').pop(), first.stdout.trim().split('\n').pop(), 'the same image digest');
  });

  it('reports a failing RUN through the daemon like an in-process build', async () => {
    const dir = await context('FROM busybox:test\nRUN echo about to fail && exit 3\n');
    const result = build(dir);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /exit code 3|exited with code 3/);
    assert.match(result.stderr, /about to fail/);
  });

  it('leaves NODE_EXTRA_CA_CERTS to the daemon: the bin/berth client does not load it, the daemon that pulls does', async () => {
    const dir = await context('FROM busybox:test\nRUN echo certs handed on\n');
    // Node warns at start-up when it cannot load the file: the warning shows who loaded it.
    const certs = path.join(work, 'missing-ca.pem');
    const result = spawnSync(path.join(path.dirname(BERTH_BIN), 'berth'), ['build', dir], { env: env({ NODE_EXTRA_CA_CERTS: certs }), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /extra certs/i, 'the client never loaded the file');
    const pid = (await servingPids()).at(-1)!;
    const environ = await fs.readFile(`/proc/${pid}/environ`, 'utf8');
    assert.ok(environ.split('\0').includes(`NODE_EXTRA_CA_CERTS=${certs}`), 'the daemon has it back');
    assert.match(await daemonLog(), /extra certs/i, 'and loaded it');
  });

  it('replaces a daemon started with another environment instead of building with stale settings', async () => {
    const before = await servingPids();
    const dir = await context('FROM busybox:test\nRUN echo other env\n');
    const result = build(dir, { BERTH_BUILD_CONCURRENCY: '1' });
    assert.equal(result.status, 0, result.stderr);
    const after = await servingPids();
    assert.equal(after.length, before.length + 1, 'a second daemon started');
    await eventually(async () => !processAlive(before[before.length - 1]), 10_000, 'the stale daemon to leave');
  });

  it('cancels the build when its client is killed, and survives a SIGKILL of the daemon itself', async () => {
    const dir = await context('FROM busybox:test\nRUN echo started && sleep 60\n');
    const client = spawn(process.execPath, [BERTH_BIN, 'build', dir], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    client.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(async () => /^started$/m.test(output), 30_000, 'the RUN step to start');
    client.kill('SIGKILL');
    await eventually(async () => !(await fs.readFile('/proc/self/mountinfo', 'utf8')).includes(dataDir), 15_000, 'the cancelled build to unmount').catch(async (error) => {
      throw new Error(`${(error as Error).message}; daemon log:\n${await daemonLog()}\nclient output:\n${output}`);
    });

    const second = spawn(process.execPath, [BERTH_BIN, 'build', dir], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let secondOut = '';
    let secondErr = '';
    second.stdout.on('data', (chunk: Buffer) => (secondOut += chunk.toString()));
    second.stderr.on('data', (chunk: Buffer) => (secondErr += chunk.toString()));
    await eventually(async () => /^started$/m.test(secondOut), 30_000, 'the RUN step to start again');
    const pids = await servingPids();
    process.kill(pids[pids.length - 1], 'SIGKILL');
    const code = await new Promise((resolve) => second.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(secondErr, /build daemon stopped during the build/);

    await fs.writeFile(path.join(dir, 'Dockerfile'), 'FROM busybox:test\nRUN echo after the kill\n');
    const next = build(dir);
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stdout, /^after the kill$/m);
    const gc = runBerth(['image', 'gc'], env());
    assert.equal(gc.status, 0, gc.stderr);
    assert.equal(build(dir).status, 0, 'the store is sound after the GC');
  });
});
