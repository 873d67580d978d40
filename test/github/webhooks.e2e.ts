import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import webhookExamples from '@octokit/webhooks-examples';
import { generateToken, hashToken } from '@berth/auth';
import { signPayload } from '@berth/github';
import { buildBaseImage } from '../support/base-image';
import { BerthStack, startBerthStack } from '../support/berth-stack';
import { GitWork } from '../support/git-work';
import { httpGet } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

const isRoot = process.getuid?.() === 0;
const APP = 'hooked';
const REPOSITORY = 'octo/hooked';

type Payload = Record<string, unknown> & { repository: Record<string, unknown> };
type Delivery = { event: string; deliveryId: string; result: string; detail: string | null; buildId: string | null; after: string | null };

/** A real example payload of the event, deep-copied so a test can patch it. */
function example(event: string, pick: (payload: Payload) => boolean = () => true): Payload {
  const definition = (webhookExamples as unknown as Array<{ name: string; examples: Payload[] }>).find((d) => d.name === event);
  const found = definition?.examples.find(pick);
  assert.ok(found, `@octokit/webhooks-examples has a ${event} example`);
  return structuredClone(found);
}

/** A GitHub REST API stand-in that records the commit statuses it is sent. */
async function startFakeGithubApi() {
  const statuses: Array<{ path: string; auth?: string; body: Record<string, string> }> = [];
  const fake = { url: '', statuses, answer: 201, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      statuses.push({ path: request.url ?? '', auth: request.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') });
      response.writeHead(fake.answer, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return fake;
}

describe('GitHub webhooks deploy pushes to the linked branch', { skip: !isRoot && 'needs root (builder) and Docker' }, () => {
  let env: TestEnv;
  let stack: BerthStack;
  let github: Awaited<ReturnType<typeof startFakeGithubApi>>;
  let work: GitWork;
  let origin: string;
  let secret: string;
  let head: string;

  const auth = (token = env.adminToken) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
  const api = async <T>(route: string, init: RequestInit = {}, token?: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${route}`, { ...init, headers: auth(token) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const builds = async () => (await api<Array<{ id: string; source: string; commit: string; status: string }>>(`/api/apps/${APP}/builds`)).body;
  const deliveries = async () => (await api<Delivery[]>(`/api/apps/${APP}/github/deliveries`)).body;

  async function send(event: string, payload: unknown, options: { secret?: string | null; deliveryId?: string; raw?: Buffer } = {}) {
    const body = options.raw ?? Buffer.from(JSON.stringify(payload));
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'GitHub-Hookshot/test',
      'X-GitHub-Event': event,
      'X-GitHub-Delivery': options.deliveryId ?? randomUUID(),
      'X-GitHub-Hook-ID': '109948940',
    };
    const key = options.secret === undefined ? secret : options.secret;
    if (key !== null) headers['X-Hub-Signature-256'] = signPayload(key, body);
    const started = Date.now();
    const response = await fetch(`${stack.apiUrl}/webhooks/github/${APP}`, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as { result?: string; error?: { code: string } }, ms: Date.now() - started };
  }

  /** The real push example, patched to this repository's branch and commit; its URLs point elsewhere on purpose. */
  function pushPayload(patch: Partial<{ ref: string; before: string; after: string; deleted: boolean }>): Payload {
    const payload = example('push', (p) => String(p.ref).startsWith('refs/heads/'));
    Object.assign(payload, { before: '0'.repeat(40), after: head, ref: 'refs/heads/main', deleted: false }, patch);
    Object.assign(payload.repository, { full_name: REPOSITORY, clone_url: 'file:///nonexistent/evil.git', ssh_url: 'git@evil.example:x/y.git', url: 'https://evil.example/x/y' });
    return payload;
  }

  before(async () => {
    env = await createTestEnv();
    github = await startFakeGithubApi();
    await buildBaseImage(env.config.dataDir);
    stack = await startBerthStack(env.config, { github: { apiUrl: github.url } });
    assert.equal((await api(`/api/apps`, { method: 'POST', body: JSON.stringify({ name: APP }) })).status, 201);
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-github-'));
    origin = path.join(root, 'origin.git');
    work = new GitWork(path.join(root, 'work'));
    await fs.mkdir(work.dir);
    await work.git('init', '-q', '--initial-branch=main');
    await work.commit({
      'index.html': 'from github\n',
      Dockerfile: 'FROM busybox:test\nRUN mkdir /www\nCOPY index.html /www/index.html\nCMD ["sh", "-c", "trap \'exit 0\' TERM; busybox httpd -f -p $PORT -h /www & wait"]\n',
    });
    await work.git('clone', '-q', '--bare', work.dir, origin);
    head = (await work.git('rev-parse', 'HEAD')).stdout.trim();
  });

  after(async () => {
    await fetch(`${stack.apiUrl}/api/apps/${APP}`, { method: 'DELETE', headers: auth() }).catch(() => undefined);
    await stack?.close();
    await github?.close();
    await env?.dispose();
    if (work) await fs.rm(path.dirname(work.dir), { recursive: true, force: true });
  });

  it('links the app: webhook URL, secret once, deploy key; file:// only for admins', async () => {
    const body = { repository: REPOSITORY, branch: 'main', cloneUrl: `file://${origin}`, deployKey: true, token: 'ghp_example' };
    const linked = await api<{ secret: string; webhookUrl: string; deployKey: { publicKey: string }; hasToken: boolean }>(`/api/apps/${APP}/github`, { method: 'PUT', body: JSON.stringify(body) });
    assert.equal(linked.status, 200);
    assert.match(linked.body.secret, /^[0-9a-f]{64}$/);
    assert.equal(linked.body.webhookUrl, `${stack.apiUrl}/webhooks/github/${APP}`);
    assert.match(linked.body.deployKey.publicKey, /^ssh-ed25519 AAAA\S+ berth:hooked$/);
    assert.equal(linked.body.hasToken, true);
    secret = linked.body.secret;

    const shown = await api<Record<string, unknown>>(`/api/apps/${APP}/github`);
    assert.equal(shown.status, 200);
    assert.equal('secret' in shown.body, false);
    assert.doesNotMatch(JSON.stringify(shown.body), /ghp_example/);

    const member = await createMemberToken(env);
    const refused = await api<{ error: { code: string } }>(`/api/apps/${APP}/github`, { method: 'PUT', body: JSON.stringify(body) }, member);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'file_url_forbidden');
    const badUrl = await api(`/api/apps/${APP}/github`, { method: 'PUT', body: JSON.stringify({ ...body, cloneUrl: 'ext::sh -c evil' }) });
    assert.equal(badUrl.status, 422);
  });

  it('answers ping with 200, and refuses unsigned, forged, non-JSON and oversized deliveries', async () => {
    const ping = await send('ping', example('ping'));
    assert.equal(ping.status, 200);
    assert.equal(ping.body.result, 'pong');
    assert.equal((await send('push', pushPayload({}), { secret: null })).status, 401);
    assert.equal((await send('push', pushPayload({}), { secret: 'not-the-secret' })).status, 401);
    assert.equal((await send('push', null, { raw: Buffer.from('payload=%7B%7D') })).status, 400);
    const huge = await fetch(`${stack.apiUrl}/webhooks/github/${APP}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.alloc(25 * 1024 * 1024 + 1, 0x20) });
    assert.equal(huge.status, 413);
    // Without a Content-Length the body is counted while it streams.
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 26; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const streamed = await fetch(`${stack.apiUrl}/webhooks/github/${APP}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    assert.equal(streamed.status, 413);
  });

  it('acknowledges and ignores tags, other branches and deletions', async () => {
    const tag = example('push', (p) => String(p.ref).startsWith('refs/tags/') && p.deleted === false);
    tag.repository.full_name = REPOSITORY;
    for (const [payload, why] of [
      [tag, /tag simple-tag/],
      [pushPayload({ ref: 'refs/heads/feature' }), /not the linked branch/],
      [pushPayload({ before: head, after: '0'.repeat(40), deleted: true }), /was deleted/],
      [{ ...pushPayload({}), repository: { ...pushPayload({}).repository, full_name: 'someone/else' } }, /not the linked octo\/hooked/],
    ] as const) {
      const answer = await send('push', payload);
      assert.equal(answer.status, 202);
      assert.equal(answer.body.result, 'ignored');
      assert.match((answer.body as { detail?: string }).detail ?? '', why);
    }
    assert.equal((await builds()).length, 0, 'nothing was built');
  });

  it('a signed push to the branch answers 202 at once, fetches from the link, deploys, and reports statuses', async () => {
    const deliveryId = randomUUID();
    const answer = await send('push', pushPayload({}), { deliveryId });
    assert.equal(answer.status, 202);
    assert.equal(answer.body.result, 'queued');
    assert.ok(answer.ms < 10_000, `answered in ${answer.ms} ms`);
    await eventually(async () => (await httpGet(stack.routerPort, `${APP}.localhost`)).body === 'from github\n', 120_000, 'the pushed commit to serve');
    const [build] = await builds();
    assert.equal(build.source, 'webhook');
    assert.equal(build.commit, head);
    const recorded = (await deliveries()).find((d) => d.deliveryId === deliveryId);
    assert.equal(recorded?.result, 'building');
    assert.equal(recorded?.buildId, build.id);

    const states = await eventually(async () => {
      const seen = github.statuses.map((s) => s.body.state);
      return seen.includes('success') && seen;
    }, 10_000, 'the success status');
    assert.deepEqual(states, ['pending', 'success']);
    assert.equal(github.statuses[0].path, `/repos/${REPOSITORY}/statuses/${head}`);
    assert.equal(github.statuses[0].auth, 'Bearer ghp_example');
    assert.equal(github.statuses[1].body.target_url, `${stack.apiUrl}/api/builds/${build.id}/log`);

    // The same delivery again, the same signed body under a new delivery id, and a new push of
    // the deployed commit (a force-push back to it) start nothing.
    const replay = await send('push', pushPayload({}), { deliveryId });
    assert.equal(replay.body.result, 'duplicate');
    const resent = await send('push', pushPayload({}));
    assert.equal(resent.body.result, 'duplicate');
    const again = await send('push', pushPayload({ before: 'a'.repeat(40) }));
    assert.equal(again.status, 202);
    await eventually(async () => (await deliveries()).some((d) => d.result === 'skipped' && /already deployed/.test(d.detail ?? '')), 10_000, 'the redelivery to be skipped');
    assert.equal((await builds()).length, 1, 'one build in all');
  });

  it('a second push deploys even when GitHub refuses the commit statuses', async () => {
    await work.commit({ 'index.html': 'second from github\n' });
    await work.git('push', '-q', origin, 'main');
    const previous = head;
    head = (await work.git('rev-parse', 'HEAD')).stdout.trim();
    github.answer = 500;
    const answer = await send('push', pushPayload({ before: previous }));
    assert.equal(answer.status, 202);
    await eventually(async () => (await httpGet(stack.routerPort, `${APP}.localhost`)).body === 'second from github\n', 120_000, 'the second commit to serve');
    await eventually(async () => github.statuses.filter((s) => s.path.endsWith(head)).length === 2, 10_000, 'both statuses to be attempted');
    assert.deepEqual((await builds()).map((b) => b.status), ['succeeded', 'succeeded']);
  });

  it('a fetch that fails is recorded and builds nothing', async () => {
    const relinked = await api<{ secret: string | null }>(`/api/apps/${APP}/github`, {
      method: 'PUT',
      body: JSON.stringify({ repository: REPOSITORY, branch: 'main', cloneUrl: 'file:///nonexistent/berth-origin.git' }),
    });
    assert.equal(relinked.status, 200);
    assert.equal(relinked.body.secret, null, 'an update keeps (and does not show) the secret');
    const answer = await send('push', pushPayload({ before: head, after: 'c'.repeat(40) }));
    assert.equal(answer.status, 202);
    const failed = await eventually(async () => (await deliveries()).find((d) => d.result === 'failed'), 10_000, 'the delivery to fail');
    assert.match(failed.detail ?? '', /fetching cccccccccccc from file:\/\/\/nonexistent\/berth-origin.git failed/);
    assert.equal((await builds()).length, 2);
  });

  it('records every delivery, and a rotated secret replaces the old one', async () => {
    const results = (await deliveries()).map((d) => d.result).sort();
    assert.deepEqual(results, ['building', 'building', 'duplicate', 'duplicate', 'failed', 'ignored', 'ignored', 'ignored', 'ignored', 'invalid', 'pong', 'rejected', 'rejected', 'skipped']);
    const rotated = await api<{ secret: string }>(`/api/apps/${APP}/github/secret`, { method: 'POST' });
    assert.match(rotated.body.secret, /^[0-9a-f]{64}$/);
    assert.equal((await send('ping', example('ping'))).status, 401);
    assert.equal((await send('ping', example('ping'), { secret: rotated.body.secret })).status, 200);
    assert.equal((await api(`/api/apps/${APP}/github`, { method: 'DELETE' })).status, 204);
    assert.equal((await send('ping', example('ping'), { secret: rotated.body.secret })).status, 404);
  });
});

/** A member (not an admin) with an API token, straight into the installation's database. */
async function createMemberToken(env: TestEnv): Promise<string> {
  const token = generateToken();
  const client = new Client({ connectionString: env.config.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`INSERT INTO users (name, role) VALUES ('member', 'member') RETURNING id`);
    await client.query(`INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, 'member', $2)`, [rows[0].id, hashToken(token)]);
  } finally {
    await client.end();
  }
  return token;
}
