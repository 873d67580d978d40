import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BerthProcess, processAlive } from '../support/berth-process';
import { httpGet } from '../support/http';
import { createTestEnv, eventually, freePort, TestEnv } from '../support/test-env';

describe('berth up', () => {
  let env: TestEnv;
  let berth: BerthProcess;
  let apiPort: number;
  let routerPort: number;
  const childPids = new Map<string, number>();

  before(async () => {
    env = await createTestEnv({ migrate: false });
    apiPort = await freePort();
    routerPort = await freePort();
    const processEnv = env.processEnv({ BERTH_API_PORT: String(apiPort), BERTH_ROUTER_PORT: String(routerPort) });
    delete processEnv.BERTH_ADMIN_TOKEN;
    berth = new BerthProcess(['up'], processEnv);
  });

  after(async () => {
    if (berth) {
      berth.kill('SIGKILL');
      for (const pid of childPids.values()) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await env?.dispose();
  });

  const api = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${apiPort}${path}`, init);

  it('migrates, prints the URLs and a generated admin token, and starts api, worker and router', async () => {
    await berth.waitForLine(/^\s+API\s+http:\/\/localhost:\d+\/api$/);
    await berth.waitForLine(/^\s+Console\s+http:\/\/localhost:\d+\/$/);
    for (const role of ['api', 'worker', 'router']) {
      const [, pid] = await berth.waitForLine(new RegExp(`started ${role} \\(pid (\\d+)\\)`));
      childPids.set(role, Number(pid));
    }
    await eventually(async () => (await api('/readyz')).status === 200, 60_000, 'readyz to answer 200');
  });

  it('the printed admin token works, and the router serves what the api created', async () => {
    const [, token] = await berth.waitForLine(/Admin token \(shown once.*\): (berth_\S+)$/);
    const created = await api('/api/apps', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'hello' }),
    });
    assert.equal(created.status, 201);
    const router = (host: string) => httpGet(routerPort, host);
    // One router process per core by default: the workers may still be starting after the api answers.
    const answered = (host: string) => router(host).then((answer) => answer.status, () => 0);
    await eventually(async () => (await answered('nobody.localhost')) !== 0, 30_000, 'the router to listen');
    assert.equal((await router('nobody.localhost')).status, 404);
    await eventually(async () => (await router('hello.localhost')).status === 503, 10_000, 'the router to know the new app');
  });

  it('restarts a child that crashes', async () => {
    const oldPid = childPids.get('api')!;
    process.kill(oldPid, 'SIGKILL');
    await berth.waitForLine(/api exited \(SIGKILL\); restarting in 1s/);
    const [, pid] = await berth.waitForLine(/started api \(pid (\d+)\)/, 30_000, 1);
    childPids.set('api', Number(pid));
    assert.notEqual(Number(pid), oldPid);
    await eventually(async () => (await api('/healthz')).status === 200, 30_000, 'the restarted api to answer');
  });

  it('stops every child gracefully on SIGTERM', async () => {
    berth.kill('SIGTERM');
    const { code } = await berth.exited;
    assert.equal(code, 0);
    for (const [role, pid] of childPids) assert.ok(!processAlive(pid), `${role} (pid ${pid}) is gone`);
    for (const role of ['api', 'worker', 'router']) assert.ok(berth.lines.some((line) => line.includes(`${role} stopped`)));
  });
});
