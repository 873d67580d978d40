import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { httpGet } from '../support/http';
import { deadPort, rawExchange, RouterFixture, startRouter, startUpstream } from './proxy-support';

/** POSTs `body` (a Buffer sent with Content-Length, or chunks sent chunked) and reads the status. */
function post(port: number, host: string, body: Buffer | Buffer[]): Promise<{ status: number; body: string; echoed?: number }> {
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(body);
    const headers: http.OutgoingHttpHeaders = { host, ...(chunked ? {} : { 'content-length': body.length }) };
    const outgoing = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/upload', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    outgoing.on('error', reject);
    for (const chunk of chunked ? body : [body]) outgoing.write(chunk);
    outgoing.end();
  });
}

function connected(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

describe('router limits and bad input', () => {
  let router: RouterFixture;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let api: NestExpressApplication;

  before(async () => {
    router = await startRouter({ maxHeaderBytes: 4096, headerTimeoutMs: 1000, maxBodyBytes: 64 * 1024, maxConnections: 4 });
    upstream = await startUpstream((req, res) => {
      let received = 0;
      req.on('data', (chunk: Buffer) => (received += chunk.length));
      req.on('end', () => res.end(`received ${received} bytes`));
    });
    await router.addApp('limited', [upstream.port]);
    api = await createApiApp({ ...router.env.config, log: { level: 'warn', pretty: false } });
    await api.init();
  });

  after(async () => {
    await api?.close();
    await router?.close();
    await upstream?.close();
  });

  it('answers 431 to a request head over BERTH_ROUTER_MAX_HEADER_BYTES', async () => {
    const answer = await rawExchange(router.port, `GET / HTTP/1.1\r\nHost: limited.localhost\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
  });

  it('answers 413 to a body over the limit, declared (Content-Length) or streamed (chunked), and passes one under it', async () => {
    assert.deepEqual(await post(router.port, 'limited.localhost', Buffer.alloc(1000)), { status: 200, body: 'received 1000 bytes' });
    assert.equal((await post(router.port, 'limited.localhost', Buffer.alloc(65 * 1024))).status, 413);
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(10 * 1024));
    assert.equal((await post(router.port, 'limited.localhost', chunks)).status, 413);
  });

  it('takes an app\'s own maxBodyBytes from PATCH /api/apps/NAME', async () => {
    const auth = { Authorization: `Bearer ${router.env.adminToken}` };
    await request(api.getHttpServer()).patch('/api/apps/limited').set(auth).send({ maxBodyBytes: 'lots' }).expect(422);
    const patched = await request(api.getHttpServer()).patch('/api/apps/limited').set(auth).send({ maxBodyBytes: 500 }).expect(200);
    assert.equal(patched.body.maxBodyBytes, 500);
    assert.equal((await post(router.port, 'limited.localhost', Buffer.alloc(1000))).status, 413);
    await request(api.getHttpServer()).patch('/api/apps/limited').set(auth).send({ maxBodyBytes: null }).expect(200);
    assert.equal((await post(router.port, 'limited.localhost', Buffer.alloc(1000))).status, 200);
  });

  it('answers 408 and closes a connection whose head does not arrive within the header timeout', async () => {
    const started = Date.now();
    const answer = await rawExchange(router.port, 'GET / HTTP/1.1\r\nHost: limited.localhost\r\n', 5000);
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 4000, `closed after ${Date.now() - started} ms`);
  });

  it('answers 400 to a malformed request while another keep-alive connection keeps working', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; socket: net.Socket }>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: router.port, headers: { host: 'limited.localhost' }, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket as net.Socket }));
        });
        req.on('error', reject);
      });
    try {
      const first = await get();
      assert.match(await rawExchange(router.port, 'GET /\x01 nonsense\r\n\r\n'), /^HTTP\/1\.1 400 /);
      const second = await get();
      assert.deepEqual([first.status, second.status], [200, 200]);
      assert.equal(second.socket, first.socket, 'the keep-alive connection was reused');
    } finally {
      agent.destroy();
    }
  });

  it('closes connections over BERTH_ROUTER_MAX_CONNECTIONS at once, and serves again when some end', async () => {
    const open = await Promise.all(Array.from({ length: 4 }, () => connected(router.port)));
    try {
      const refused = await rawExchange(router.port, 'GET / HTTP/1.1\r\nHost: limited.localhost\r\n\r\n').catch((error: NodeJS.ErrnoException) => error.code);
      assert.ok(refused === '' || refused === 'ECONNRESET', `the fifth connection was closed without an answer, got ${refused}`);
    } finally {
      for (const socket of open) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await httpGet(router.port, 'limited.localhost')).status, 200);
  });

  it('retries an idempotent request on another instance when the first refuses the connection, and nothing else', async () => {
    const second = await startUpstream((req, res) => {
      req.resume();
      req.on('end', () => res.end('second'));
    });
    try {
      await router.addApp('half-dead', [await deadPort(), second.port]);
      for (let i = 0; i < 6; i++) assert.deepEqual(await httpGet(router.port, 'half-dead.localhost').then((r) => [r.status, r.body]), [200, 'second']);
      // A body may have reached the app: a POST is never sent twice, one of two goes to the dead instance.
      const posts = [await post(router.port, 'half-dead.localhost', [Buffer.from('x')]), await post(router.port, 'half-dead.localhost', [Buffer.from('x')])];
      assert.deepEqual(posts.map((p) => p.status).sort(), [200, 502]);
      await router.addApp('all-dead', [await deadPort()]);
      assert.equal((await httpGet(router.port, 'all-dead.localhost')).status, 502);
    } finally {
      await second.close();
    }
  });
});
