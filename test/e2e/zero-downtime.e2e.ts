import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { DataSource } from 'typeorm';
import { APP_EVENTS, AppEvent, AppEventSink } from '@berth/app-logs';
import { createDataSource } from '@berth/db';
import { buildNodeBaseImage, NODE_BASE_IMAGE } from '../support/node-image';
import { BerthStack, startBerthStack } from '../support/berth-stack';
import { GitWork } from '../support/git-work';
import { httpGet } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

const execFileAsync = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const APP = 'steady';
const HOST = `${APP}.localhost`;

/**
 * The app answers "CODE COLOR" (its code's label and its config), so the load shows which
 * release served each request. GET /fail makes this instance answer 500 from then on; it
 * closes its server on SIGTERM, so it stops as soon as no connection is busy.
 */
function app(code: string, options: { healthy?: boolean } = {}): Record<string, string> {
  const server = `const http = require('http');
let failing = ${options.healthy === false};
const server = http.createServer((request, response) => {
  if (request.url === '/fail') failing = true;
  response.statusCode = failing ? 500 : 200;
  response.end(${JSON.stringify(code)} + ' ' + (process.env.COLOR || 'plain'));
});
server.listen(process.env.PORT);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
  return { 'server.js': server, Dockerfile: `FROM ${NODE_BASE_IMAGE}\nWORKDIR /app\nCOPY server.js ./\nCMD ["node", "server.js"]\n` };
}

interface Load {
  /** Distinct bodies in the order they were first seen, after the previous one stopped being seen. */
  phases: string[];
  stop(): Promise<autocannon.Result>;
}

/** A steady load through the router: two keep-alive connections, ~300 requests per second. */
function steadyLoad(routerPort: number): Load {
  const phases: string[] = [];
  let finish: (error: Error | null, result: autocannon.Result) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => (finish = (error, result) => (error ? reject(error) : resolve(result))));
  const instance = autocannon(
    {
      url: `http://127.0.0.1:${routerPort}/`,
      headers: { host: HOST },
      connections: 2,
      pipelining: 1,
      overallRate: 300,
      duration: 600,
      timeout: 5,
      setupClient: (client) =>
        client.on('body', (body: Buffer) => {
          const text = body.toString('utf8');
          if (phases[phases.length - 1] !== text) phases.push(text);
        }),
    },
    (error, result) => finish(error, result),
  );
  return {
    phases,
    stop: async () => {
      instance.stop();
      return done;
    },
  };
}

function assertClean(result: autocannon.Result, t: { diagnostic(message: string): void }): void {
  t.diagnostic(`${result.requests.total} requests in ${result.duration} s: ${result['2xx']} 2xx, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
  assert.ok(result.requests.total > 100, `the load ran (${result.requests.total} requests)`);
  assert.deepEqual(
    { non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, resets: result.resets },
    { non2xx: 0, errors: 0, timeouts: 0, resets: 0 },
    `${result.requests.total} requests`,
  );
}

/** Phases collapse A B A B alternation (two releases both serving for a moment) into first appearances. */
function order(phases: string[]): string[] {
  return phases.filter((phase, index) => phases.indexOf(phase) === index);
}

describe('zero downtime under load, and the health of running instances', { skip: !isRoot && 'needs root (builder) and Docker' }, () => {
  let env: TestEnv;
  let stack: BerthStack;
  let tree: GitWork;
  let remote: string;
  const events: AppEvent[] = [];

  const auth = () => ({ Authorization: `Bearer ${env.adminToken}`, 'Content-Type': 'application/json' });
  const api = async <T>(urlPath: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${urlPath}`, { ...init, headers: auth() });
    return { status: response.status, body: (await response.json()) as T };
  };
  type Instance = { id: string; process: string; status: string; port: number; containerId: string };
  const instances = async () => (await api<{ instances: Instance[] }>(`/api/apps/${APP}`)).body.instances;
  const running = async () => (await instances()).filter((instance) => instance.status === 'running');
  const page = () => httpGet(stack.routerPort, HOST);
  const push = async (files: Record<string, string>) => {
    await tree.commit(files);
    return tree.git('push', remote, 'main');
  };

  before(async () => {
    env = await createTestEnv();
    await buildNodeBaseImage(env.config.dataDir);
    stack = await startBerthStack(env.config, { healthTimeoutMs: 8_000 });
    // Observe the events the worker emits about the app (the sink itself stays in place).
    const sink = stack.worker.get<AppEventSink>(APP_EVENTS);
    const emit = sink.emit.bind(sink);
    sink.emit = async (event) => {
      events.push(event);
      await emit(event);
    };
    const created = await api<{ gitUrl: string }>('/api/apps', { method: 'POST', body: JSON.stringify({ name: APP }) });
    assert.equal(created.status, 201);
    remote = created.body.gitUrl.replace('http://', `http://berth:${env.adminToken}@`);
    tree = new GitWork(await fs.mkdtemp(path.join(os.tmpdir(), 'berth-steady-')));
    await tree.git('init', '-q', '--initial-branch=main');
    const first = await push(app('one'));
    assert.equal(first.code, 0, first.stderr);
  });

  after(async () => {
    await fetch(`${stack.apiUrl}/api/apps/${APP}`, { method: 'DELETE', headers: auth() }).catch(() => undefined);
    await stack?.close();
    await env?.dispose();
    if (tree) await fs.rm(tree.dir, { recursive: true, force: true });
  });

  it('serves every request while the app is redeployed, reconfigured, scaled 1 -> 2 -> 1 and rolled back', async (t) => {
    assert.equal((await page()).body, 'one plain');
    const load = steadyLoad(stack.routerPort);
    try {
      const second = await push(app('two'));
      assert.equal(second.code, 0, second.stderr);
      // autocannon's overallRate sends each second's requests in a burst, then waits: a release
      // that serves for less than the rest of a second could go unseen; wait for it to be seen.
      await eventually(async () => load.phases.at(-1) === 'two plain', 30_000, 'the pushed release to serve');
      const config = await api(`/api/apps/${APP}/config`, { method: 'PATCH', body: JSON.stringify({ COLOR: 'blue' }) });
      assert.equal(config.status, 200);
      await eventually(async () => load.phases.at(-1) === 'two blue', 30_000, 'the config change to serve');
      assert.equal((await api(`/api/apps/${APP}/scale`, { method: 'POST', body: JSON.stringify({ web: 2 }) })).status, 200);
      await eventually(async () => (await running()).length === 2, 30_000, 'two web instances');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal((await api(`/api/apps/${APP}/scale`, { method: 'POST', body: JSON.stringify({ web: 1 }) })).status, 200);
      await eventually(async () => (await instances()).length === 1, 30_000, 'one web instance');
      const rollback = await api(`/api/apps/${APP}/rollback`, { method: 'POST', body: JSON.stringify({ version: 1 }) });
      assert.equal(rollback.status, 201);
      await eventually(async () => load.phases.at(-1) === 'one plain' && (await instances()).length === 1, 30_000, 'the rollback to serve v1');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      const result = await load.stop();
      assertClean(result, t);
    }
    assert.deepEqual(order(load.phases), ['one plain', 'two plain', 'two blue'], 'each release served in turn');
    assert.equal(load.phases.at(-1), 'one plain', 'the rollback serves last');
  });

  it('keeps serving the old release, without an error, when the new one never becomes healthy', async (t) => {
    const load = steadyLoad(stack.routerPort);
    let pushed: Awaited<ReturnType<typeof push>>;
    try {
      pushed = await push(app('broken', { healthy: false }));
    } finally {
      assertClean(await load.stop(), t);
    }
    assert.match(pushed.stderr, /was not healthy within 8s[\s\S]*keeps serving/);
    assert.deepEqual(order(load.phases), ['one plain']);
    assert.equal((await instances()).length, 1, 'the failed instance is gone');
  });

  it('takes an instance that fails its health checks out of the rotation at once, and replaces it under load', async (t) => {
    assert.equal((await api(`/api/apps/${APP}/scale`, { method: 'POST', body: JSON.stringify({ web: 2 }) })).status, 200);
    await eventually(async () => (await running()).length === 2, 30_000, 'two web instances');
    const [sick, well] = await running();
    assert.equal((await httpGet(sick.port, 'direct', '/fail')).status, 500);
    await eventually(async () => events.find((event) => event.instance === sick.id && /failed 3 health checks in a row \(GET \/ answered 500\)/.test(event.message)), 20_000, 'the monitor to eject it');
    // From here on no request may reach it: the load sees only the healthy one, then its replacement too.
    const load = steadyLoad(stack.routerPort);
    try {
      await eventually(async () => {
        const now = await running();
        return now.length === 2 && now.some((instance) => instance.id === well.id) && (await instances()).every((instance) => instance.id !== sick.id);
      }, 40_000, 'a healthy replacement to serve and the sick one to go');
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      assertClean(await load.stop(), t);
    }
    assert.deepEqual(order(load.phases), ['one plain']);
  });

  it('notices a killed container, logs its exit code, and replaces it', async () => {
    const [victim] = await running();
    await execFileAsync('docker', ['kill', victim.containerId]);
    const crash = await eventually(async () => events.find((event) => event.instance === victim.id && event.level === 'error'), 15_000, 'the crash to be reported');
    assert.match(crash.message, /crashed: exited with code 137/);
    await eventually(async () => {
      const now = await running();
      return now.length === 2 && now.every((instance) => instance.id !== victim.id) && (await page()).status === 200;
    }, 40_000, 'the reconciler to start a replacement');
    const { stdout } = await execFileAsync('docker', ['ps', '-aq', '--filter', `id=${victim.containerId}`]);
    assert.equal(stdout.trim(), '', 'the dead container is removed');
  });

  it('finishes what a worker that died mid-deploy left: the release, a draining and a half-started instance', async (t) => {
    await eventually(async () => (await running()).length === 2 && (await instances()).length === 2, 30_000, 'two web instances');
    const [old, kept] = await running();
    const db: DataSource = await createDataSource(env.config.databaseUrl).initialize();
    const load = steadyLoad(stack.routerPort);
    try {
      // The state a worker leaves when it dies after the switch: the release still deploying, an old instance
      // draining but not stopped, and another instance recorded but never started.
      const [release] = await db.query(`SELECT release_id AS id FROM instances WHERE id = $1`, [old.id]);
      await db.query(`UPDATE releases SET status = 'deploying' WHERE id = $1`, [release.id]);
      await db.query(`UPDATE instances SET status = 'draining' WHERE id = $1`, [old.id]);
      const [half] = await db.query(
        `INSERT INTO instances (app_id, release_id, process_type, port, status) SELECT app_id, release_id, 'web', 29999, 'starting' FROM instances WHERE id = $1 RETURNING id`,
        [old.id],
      );
      await eventually(async () => {
        const [state] = await db.query(`SELECT status FROM releases WHERE id = $1`, [release.id]);
        const now = await running();
        return state.status === 'deployed' && now.length === 2 && now.every((instance) => instance.id !== old.id) && now.some((instance) => instance.id === kept.id);
      }, 40_000, 'the reconciler to settle the release and replace the draining instance');
      const [left] = await db.query(`SELECT status FROM instances WHERE id = $1`, [half.id]);
      assert.equal(left.status, 'stopped');
      await eventually(async () => (await execFileAsync('docker', ['ps', '-aq', '--filter', `id=${old.containerId}`])).stdout.trim() === '', 15_000, 'the drained container to go');
      const [drained] = await db.query(`SELECT status FROM instances WHERE id = $1`, [old.id]);
      assert.equal(drained.status, 'stopped');
    } finally {
      await db.destroy();
      assertClean(await load.stop(), t);
    }
    assert.deepEqual(order(load.phases), ['one plain']);
  });
});
