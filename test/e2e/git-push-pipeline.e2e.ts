import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { dockerOptions } from '@berth/runtime';
import { buildBaseImage } from '../support/base-image';
import { buildNodeBaseImage, NODE_BASE_IMAGE } from '../support/node-image';
import { BerthStack, startBerthStack } from '../support/berth-stack';
import { GitWork } from '../support/git-work';
import { httpGet } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

const isRoot = process.getuid?.() === 0;

/** A site whose web process stops on SIGTERM; `extra` lines go before CMD. */
function site(body: string, extra = ''): Record<string, string> {
  return {
    'index.html': body,
    Dockerfile: `FROM busybox:test\nRUN mkdir /www\nCOPY index.html /www/index.html\n${extra}CMD ["sh", "-c", "trap 'exit 0' TERM; busybox httpd -f -p $PORT -h /www & wait"]\n`,
  };
}

describe('git push: tokens, concurrent pushes, Procfile release and worker, deletion', { skip: !isRoot && 'needs root (builder) and Docker' }, () => {
  let env: TestEnv;
  let stack: BerthStack;
  let root: string;
  const auth = () => ({ Authorization: `Bearer ${env.adminToken}`, 'Content-Type': 'application/json' });

  async function createApp(name: string): Promise<string> {
    const response = await fetch(`${stack.apiUrl}/api/apps`, { method: 'POST', headers: auth(), body: JSON.stringify({ name }) });
    assert.equal(response.status, 201);
    return ((await response.json()) as { gitUrl: string }).gitUrl;
  }

  async function work(name: string): Promise<GitWork> {
    const dir = path.join(root, name);
    await fs.mkdir(dir);
    const tree = new GitWork(dir);
    await tree.git('init', '-q', '--initial-branch=main');
    return tree;
  }

  before(async () => {
    env = await createTestEnv();
    await buildBaseImage(env.config.dataDir);
    stack = await startBerthStack(env.config, { healthTimeoutMs: 5_000 });
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-pipeline-'));
  });

  after(async () => {
    await stack?.close();
    await env?.dispose();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('refuses a push without a token or with a wrong one', async () => {
    const gitUrl = await createApp('guarded');
    const tree = await work('guarded');
    await tree.commit(site('x\n'));
    const anonymous = await tree.git('push', gitUrl, 'main');
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /Authentication failed|401|could not read Username/);
    const wrong = await tree.git('push', gitUrl.replace('http://', 'http://berth:berth_wrong@'), 'main');
    assert.notEqual(wrong.code, 0);
  });

  it('runs the Procfile: release: once before the switch, worker: when scaled; a failing release command aborts', async () => {
    const gitUrl = (await createApp('procs')).replace('http://', `http://berth:${env.adminToken}@`);
    const tree = await work('procs');
    await tree.commit({ ...site('procs v1\n'), Procfile: 'release: echo "release phase for $GREETING"\nworker: while true; do sleep 1; done\n' });
    await fetch(`${stack.apiUrl}/api/apps/procs/config`, { method: 'PATCH', headers: auth(), body: JSON.stringify({ GREETING: 'procs' }) });
    const push = await tree.git('push', gitUrl, 'main');
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /Running release command: echo/);
    assert.match(push.stderr, /release phase for procs/);
    assert.equal((await httpGet(stack.routerPort, 'procs.localhost')).body, 'procs v1\n');
    const scaled = await fetch(`${stack.apiUrl}/api/apps/procs/scale`, { method: 'POST', headers: auth(), body: JSON.stringify({ worker: 1 }) });
    assert.equal(scaled.status, 200);
    await eventually(async () => {
      const app = (await (await fetch(`${stack.apiUrl}/api/apps/procs`, { headers: auth() })).json()) as { instances: Array<{ process: string; status: string }> };
      return app.instances.some((i) => i.process === 'worker' && i.status === 'running');
    }, 30_000, 'a worker instance');

    await tree.commit({ ...site('procs v2\n'), Procfile: 'release: echo "migration failed" && exit 4\n' });
    const failing = await tree.git('push', gitUrl, 'main');
    assert.notEqual(failing.code, 0);
    assert.match(failing.stderr, /release command exited with code 4/);
    assert.match(failing.stderr, /v\d+ keeps serving/);
    assert.equal((await httpGet(stack.routerPort, 'procs.localhost')).body, 'procs v1\n');
  });

  it('two concurrent pushes: the second waits its turn and, based on an old head, is told to fetch first', async () => {
    const gitUrl = (await createApp('racy')).replace('http://', `http://berth:${env.adminToken}@`);
    const first = await work('racy-1');
    await first.commit(site('base\n'));
    assert.equal((await first.git('push', gitUrl, 'main')).code, 0);
    const second = new GitWork(path.join(root, 'racy-2'));
    await new GitWork(root).git('clone', '-q', gitUrl, 'racy-2');
    await first.commit(site('from the first\n'));
    await second.commit(site('from the second\n'));
    const [a, b] = await Promise.all([first.git('push', gitUrl, 'main'), second.git('push', gitUrl, 'main')]);
    const results = [a, b].sort((x, y) => x.code - y.code);
    assert.equal(results[0].code, 0, results[0].stderr);
    assert.notEqual(results[1].code, 0);
    assert.match(results[1].stderr, /fetch first/);
    assert.match(results[1].stderr, /Another push to this app is deploying; waiting|fetch first/);
  });

  it('deploys a Node app whose base image is made from the host node binary', async () => {
    await buildNodeBaseImage(env.config.dataDir);
    const gitUrl = (await createApp('noded')).replace('http://', `http://berth:${env.adminToken}@`);
    const tree = await work('noded');
    await tree.commit({
      'server.js': "require('http').createServer((q, s) => s.end('node says ' + process.env.GREETING)).listen(process.env.PORT);\nprocess.on('SIGTERM', () => process.exit(0));\n",
      Dockerfile: `FROM ${NODE_BASE_IMAGE}\nWORKDIR /app\nCOPY server.js ./\nCMD ["node", "server.js"]\n`,
    });
    await fetch(`${stack.apiUrl}/api/apps/noded/config`, { method: 'PATCH', headers: auth(), body: JSON.stringify({ GREETING: 'hello' }) });
    const push = await tree.git('push', gitUrl, 'main');
    assert.equal(push.code, 0, push.stderr);
    assert.equal((await httpGet(stack.routerPort, 'noded.localhost')).body, 'node says hello');
    await fetch(`${stack.apiUrl}/api/apps/noded`, { method: 'DELETE', headers: auth() });
  });

  it('a release whose web process never becomes healthy is rejected, and the previous one keeps serving', async () => {
    const gitUrl = (await createApp('sickly')).replace('http://', `http://berth:${env.adminToken}@`);
    const tree = await work('sickly');
    await tree.commit(site('healthy v1\n'));
    assert.equal((await tree.git('push', gitUrl, 'main')).code, 0);
    await tree.commit({ Dockerfile: 'FROM busybox:test\nCMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 600 & wait"]\n' });
    const push = await tree.git('push', gitUrl, 'main');
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /was not healthy within 5s/);
    assert.equal((await httpGet(stack.routerPort, 'sickly.localhost')).body, 'healthy v1\n');
    await fetch(`${stack.apiUrl}/api/apps/sickly`, { method: 'DELETE', headers: auth() });
  });

  it('the worker builds FROM an image named by its registry address (Berth\'s own, resolved locally)', async () => {
    const gitUrl = (await createApp('addressed')).replace('http://', `http://berth:${env.adminToken}@`);
    const tree = await work('addressed');
    const files = site('from the registry\n');
    files.Dockerfile = files.Dockerfile.replace('FROM busybox:test', `FROM 127.0.0.1:${stack.config.api.port}/busybox:test`);
    await tree.commit(files);
    const push = await tree.git('push', gitUrl, 'main');
    assert.equal(push.code, 0, push.stderr);
    assert.equal((await httpGet(stack.routerPort, 'addressed.localhost')).body, 'from the registry\n');
    await fetch(`${stack.apiUrl}/api/apps/addressed`, { method: 'DELETE', headers: auth() });
  });

  it('deleting an app stops and removes its containers', async () => {
    const docker = new Docker(dockerOptions(env.config.dockerHost));
    const before = await docker.listContainers({ all: true, filters: { label: ['berth.app=procs'] } });
    assert.ok(before.length >= 1, 'the app has containers to remove');
    const deleted = await fetch(`${stack.apiUrl}/api/apps/procs`, { method: 'DELETE', headers: auth() });
    assert.equal(deleted.status, 204);
    assert.deepEqual(await docker.listContainers({ all: true, filters: { label: ['berth.app=procs'] } }), []);
    await eventually(async () => (await httpGet(stack.routerPort, 'procs.localhost')).status === 404, 5_000, 'the router to forget the app');
    for (const app of ['guarded', 'racy']) await fetch(`${stack.apiUrl}/api/apps/${app}`, { method: 'DELETE', headers: auth() });
  });
});
