import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildBaseImage } from '../support/base-image';
import { BerthStack, startBerthStack } from '../support/berth-stack';
import { httpGet } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

const execFileAsync = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const APP = 'pushed';

describe('git push paas main: build, release and deploy while the push runs', { skip: !isRoot && 'needs root (builder) and Docker' }, () => {
  let env: TestEnv;
  let stack: BerthStack;
  let work: string;
  let remote: string;

  async function git(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await execFileAsync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
        maxBuffer: 16 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  async function commit(files: Record<string, string>): Promise<void> {
    for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(work, name), content);
    await git('add', '-A');
    await git('commit', '-qm', 'change');
  }

  const serve = (body: string) => ({
    'index.html': body,
    // The app stops on SIGTERM (busybox httpd as PID 1 would ignore it until Docker's SIGKILL).
    Dockerfile: 'FROM busybox:test\nRUN mkdir /www\nCOPY index.html /www/index.html\nCMD ["sh", "-c", "trap \'exit 0\' TERM; echo \\"greeting=$GREETING\\" > /www/env.txt; busybox httpd -f -p $PORT -h /www & wait"]\n',
  });
  const page = (path = '/') => httpGet(stack.routerPort, `${APP}.localhost`, path);
  const auth = () => ({ Authorization: `Bearer ${env.adminToken}`, 'Content-Type': 'application/json' });
  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${path}`, { ...init, headers: auth() });
    return { status: response.status, body: (await response.json()) as T };
  };
  type AppView = { release: { version: number } | null; instances: Array<{ process: string; status: string; port: number }> };

  before(async () => {
    env = await createTestEnv();
    await buildBaseImage(env.config.dataDir);
    stack = await startBerthStack(env.config);
    const created = await fetch(`${stack.apiUrl}/api/apps`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${env.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: APP }),
    });
    assert.equal(created.status, 201);
    const { gitUrl } = (await created.json()) as { gitUrl: string };
    remote = gitUrl.replace('http://', `http://berth:${env.adminToken}@`);
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-push-'));
    await git('init', '-q', '--initial-branch=main');
  });

  after(async () => {
    await fetch(`${stack.apiUrl}/api/apps/${APP}`, { method: 'DELETE', headers: { Authorization: `Bearer ${env.adminToken}` } }).catch(() => undefined);
    await stack?.close();
    await env?.dispose();
    await fs.rm(work, { recursive: true, force: true });
  });

  it('a push builds and deploys, showing the build as remote: lines, and the router serves it', async () => {
    await commit(serve('version one\n'));
    const push = await git('push', remote, 'main');
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /remote: (\x1b\[1G)?Step 1\/4 : FROM busybox:test/);
    assert.match(push.stderr, /remote: (\x1b\[1G)?-----> v1 is live/);
    const response = await page();
    assert.equal(response.status, 200);
    assert.equal(response.body, 'version one\n');
  });

  it('a second push replaces the running release', async () => {
    await commit(serve('version two\n'));
    const push = await git('push', remote, 'main');
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /Using cache/);
    assert.equal((await page()).body, 'version two\n');
    const app = (await (await fetch(`${stack.apiUrl}/api/apps/${APP}`, { headers: { Authorization: `Bearer ${env.adminToken}` } })).json()) as {
      release: { version: number };
      instances: Array<{ process: string; status: string }>;
    };
    assert.equal(app.release.version, 2);
    await eventually(async () => {
      const current = (await (await fetch(`${stack.apiUrl}/api/apps/${APP}`, { headers: { Authorization: `Bearer ${env.adminToken}` } })).json()) as typeof app;
      return current.instances.length === 1 && current.instances[0].status === 'running';
    }, 20_000, 'only the new instance to remain');
  });

  it("the app's log shows Berth's events of both deploys, in order, with the instance stopped by the switch", async () => {
    const expected = [/^build of main [0-9a-f]{7} started$/, /^instance [0-9a-f]{8} \(web\) is healthy on port \d+$/, /^release v1 deployed$/, /^build of main [0-9a-f]{7} started$/, /is healthy/, /^release v2 deployed$/];
    let seen: string[] = [];
    const events = await eventually(async () => {
      const { body } = await api<{ lines: Array<{ message: string; release: number | null }> }>(`/api/apps/${APP}/logs?stream=berth`);
      seen = body.lines.map((line) => line.message);
      return body.lines.some((line) => /stopped \(exit code 0\)/.test(line.message)) ? body.lines : undefined;
    }, 10_000, 'the old instance to be reported stopped').catch((error: Error) => {
      throw new Error(`${error.message}; Berth's events: ${seen.join(' | ')}`);
    });
    const messages = events.map((line) => line.message).filter((message) => !/stopped/.test(message));
    assert.equal(messages.length, expected.length, messages.join('\n'));
    expected.forEach((pattern, i) => assert.match(messages[i], pattern));
    assert.equal(events.find((line) => line.message === 'release v2 deployed')?.release, 2);
  });

  it('a failing build rejects the push, and the previous release keeps serving', async () => {
    await commit({ Dockerfile: 'FROM busybox:test\nRUN echo "compiling..." && exit 3\n' });
    const push = await git('push', remote, 'main');
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /failed with exit code 3/);
    assert.match(push.stderr, /pre-receive hook declined/);
    assert.equal((await page()).body, 'version two\n');
    await eventually(async () => {
      const { body } = await api<{ lines: Array<{ message: string }> }>(`/api/apps/${APP}/logs?stream=berth&tail=5`);
      return body.lines.some((line) => /^build of main [0-9a-f]{7} failed: .*exit code 3/.test(line.message));
    }, 5_000, "the failed build in the app's log");
  });

  it('lists builds and serves a finished build log', async () => {
    const builds = await api<Array<{ id: string; status: string; commit: string }>>(`/api/apps/${APP}/builds`);
    assert.deepEqual(builds.body.map((build) => build.status), ['failed', 'succeeded', 'succeeded']);
    const log = await fetch(`${stack.apiUrl}/api/builds/${builds.body[1].id}/log`, { headers: auth() });
    assert.match(await log.text(), /Step 1\/4 : FROM busybox:test[\s\S]*-----> v2 is live/);
  });

  it('a config change makes a new release that the app runs with', async () => {
    const patched = await api<{ config: Record<string, string>; release: { version: number } }>(`/api/apps/${APP}/config`, {
      method: 'PATCH',
      body: JSON.stringify({ GREETING: 'bonjour' }),
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.config, { GREETING: 'bonjour' });
    assert.equal(patched.body.release.version, 3);
    await eventually(async () => (await page('/env.txt')).body === 'greeting=bonjour\n', 30_000, 'v3 to serve the new config');
    const bad = await api<{ error: { code: string } }>(`/api/apps/${APP}/config`, { method: 'PATCH', body: JSON.stringify({ 'BAD-KEY': 'x' }) });
    assert.equal(bad.status, 422);
  });

  it('scales web 1 -> 2 -> 1', async () => {
    const scaled = await api<{ formation: Record<string, number> }>(`/api/apps/${APP}/scale`, { method: 'POST', body: JSON.stringify({ web: 2 }) });
    assert.equal(scaled.status, 200);
    await eventually(async () => (await api<AppView>(`/api/apps/${APP}`)).body.instances.filter((i) => i.status === 'running').length === 2, 30_000, 'two web instances');
    for (const instance of (await api<AppView>(`/api/apps/${APP}`)).body.instances) {
      assert.equal((await httpGet(instance.port, 'direct')).status, 200, `the instance on port ${instance.port} serves`);
    }
    for (let i = 0; i < 4; i++) assert.equal((await page()).status, 200, 'the router spreads requests over both');
    await api(`/api/apps/${APP}/scale`, { method: 'POST', body: JSON.stringify({ web: 1 }) });
    await eventually(async () => (await api<AppView>(`/api/apps/${APP}`)).body.instances.length === 1, 30_000, 'one web instance');
    assert.equal((await api(`/api/apps/${APP}/scale`, { method: 'POST', body: JSON.stringify({ clock: 1 }) })).status, 422);
  });

  it('rolls back to v1 as a new release', async () => {
    const rollback = await api<{ version: number; description: string }>(`/api/apps/${APP}/rollback`, { method: 'POST', body: JSON.stringify({ version: 1 }) });
    assert.equal(rollback.status, 201);
    assert.equal(rollback.body.description, 'Rollback to v1');
    await eventually(async () => (await page()).body === 'version one\n', 30_000, 'the rollback to serve v1');
    const releases = await api<Array<{ version: number; status: string }>>(`/api/apps/${APP}/releases`);
    assert.equal(releases.body[0].version, rollback.body.version);
    assert.equal((await api(`/api/apps/${APP}/rollback`, { method: 'POST', body: JSON.stringify({ version: 99 }) })).status, 404);
  });

  it('serves custom and wildcard domains, each hostname belonging to one app', async () => {
    const add = (app: string, hostname: string) => api(`/api/apps/${app}/domains`, { method: 'POST', body: JSON.stringify({ hostname }) });
    assert.equal((await add(APP, 'www.example.test')).status, 201);
    assert.equal((await add(APP, '*.wild.test')).status, 201);
    await eventually(async () => (await httpGet(stack.routerPort, 'www.example.test')).body === 'version one\n', 10_000, 'the custom domain');
    assert.equal((await httpGet(stack.routerPort, 'deep.wild.test')).body, 'version one\n');
    assert.equal((await api('/api/apps', { method: 'POST', body: JSON.stringify({ name: 'other' }) })).status, 201);
    assert.equal((await add('other', 'WWW.example.test')).status, 409);
    assert.equal((await add('other', 'not a host')).status, 422);
    assert.equal((await add('other', 'sneaky.localhost')).status, 422);
    const removed = await fetch(`${stack.apiUrl}/api/apps/${APP}/domains/www.example.test`, { method: 'DELETE', headers: auth() });
    assert.equal(removed.status, 204);
    await eventually(async () => (await httpGet(stack.routerPort, 'www.example.test')).status === 404, 10_000, 'the removed domain to stop routing');
    await fetch(`${stack.apiUrl}/api/apps/other`, { method: 'DELETE', headers: auth() });
  });

  it('other branches are stored without a deploy', async () => {
    const push = await git('push', remote, 'HEAD:refs/heads/feature');
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /only main deploys/);
  });
});
