import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { rawExchange, RouterFixture, startRouter, startUpstream } from './proxy-support';

/** What a client sees of the router's own HTTP/1.1 server: framing, pipelining, 100-continue, old clients. */

function app(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    if (req.url === '/slow') return void setTimeout(() => res.end('slow'), 100);
    if (req.url === '/echo') return void res.end(`echo:${body}`);
    if (req.url!.startsWith('/many/')) return void res.end(`${req.url!.length} ${Object.keys(req.headers).filter((name) => name.startsWith('x-h-')).length} ${req.headers['x-h-39']}`);
    if (req.url === '/empty') return void res.writeHead(204).end();
    if (req.url === '/stream') {
      res.write('one,');
      return void setTimeout(() => res.end('two'), 20);
    }
    res.setHeader('content-length', String(req.url!.length + 4));
    res.end(req.method === 'HEAD' ? undefined : `got ${req.url}`);
  });
}

/** A raw connection to the router; `until` reads until the text received so far satisfies a test. */
async function connect(port: number): Promise<{ socket: net.Socket; text: () => string; until(test: (text: string) => boolean): Promise<string>; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    text: () => received,
    closed,
    async until(test) {
      const deadline = Date.now() + 5000;
      while (!test(received)) {
        if (Date.now() > deadline) throw new Error(`no such answer within 5 s; got:\n${received}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return received;
    },
  };
}

const count = (text: string, part: string) => text.split(part).length - 1;

describe('router: what a client sees of its HTTP/1.1 server', () => {
  let router: RouterFixture;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  before(async () => {
    router = await startRouter({ keepAliveTimeoutMs: 1000, headerTimeoutMs: 1000 });
    upstream = await startUpstream(app, (_request, socket, head) => {
      // A protocol of its own: the app switches and echoes what it then reads.
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
      socket.write(head);
      socket.on('data', (chunk: Buffer) => socket.write(chunk));
    });
    await router.addApp('web', [upstream.port]);
  });

  after(async () => {
    await router?.close();
    await upstream?.close();
  });

  it('answers pipelined requests in the order they came, even when the first is the slowest', async () => {
    const client = await connect(router.port);
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: web.localhost\r\n\r\n`;
    client.socket.write(get('/slow') + get('/a') + get('/echo'));
    const text = await client.until((t) => count(t, 'HTTP/1.1 200 OK') === 3 && t.endsWith('echo:'));
    const bodies = ['slow', 'got /a', 'echo:'].map((body) => text.indexOf(body));
    assert.ok(bodies.every((at) => at > 0), text);
    assert.deepEqual([...bodies].sort((x, y) => x - y), bodies, `answers out of order:\n${text}`);
    client.socket.destroy();
  });

  it('says 100 Continue to Expect: 100-continue, then passes the body', async () => {
    const client = await connect(router.port);
    client.socket.write('POST /echo HTTP/1.1\r\nHost: web.localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    assert.match(await client.until((t) => t.includes('\r\n\r\n')), /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    client.socket.write('hello');
    const text = await client.until((t) => t.endsWith('echo:hello'));
    assert.match(text.slice(text.indexOf('\r\n\r\n') + 4), /^HTTP\/1\.1 200 OK\r\n/);
    client.socket.destroy();
  });

  it('gives an HTTP/1.0 client no chunks: a streamed answer ends with the connection', async () => {
    const answer = await rawExchange(router.port, 'GET /stream HTTP/1.0\r\nHost: web.localhost\r\n\r\n');
    const [head, body] = answer.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(head, /transfer-encoding/i);
    assert.match(head, /\r\nConnection: close/i);
    assert.equal(body, 'one,two');
    const sized = await rawExchange(router.port, 'GET /a HTTP/1.0\r\nHost: web.localhost\r\n\r\n');
    assert.match(sized, /\r\n\r\ngot \/a$/, 'an HTTP/1.0 client without keep-alive: the connection closes after the answer');
  });

  it('passes a head that llhttp reports in pieces: a long URL and 40 headers arrive whole', async () => {
    const url = `/many/${'u'.repeat(3000)}`;
    const headers = Array.from({ length: 40 }, (_, i) => `X-H-${i}: v${i}\r\n`).join('');
    const client = await connect(router.port);
    // Sent in small pieces, so the parser hands the head over in several callbacks.
    const head = `GET ${url} HTTP/1.1\r\nHost: web.localhost\r\n${headers}\r\n`;
    for (let at = 0; at < head.length; at += 500) {
      client.socket.write(head.slice(at, at + 500));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const text = await client.until((t) => /\r\n\r\n\d+ \d+ v39$/.test(t));
    assert.match(text, new RegExp(`\r\n\r\n${url.length} 40 v39$`));
    client.socket.destroy();
  });

  it('answers HEAD and 204 without a body, so the next request on the connection reads cleanly', async () => {
    const client = await connect(router.port);
    client.socket.write('HEAD /a HTTP/1.1\r\nHost: web.localhost\r\n\r\nGET /empty HTTP/1.1\r\nHost: web.localhost\r\n\r\nGET /b HTTP/1.1\r\nHost: web.localhost\r\n\r\n');
    const text = await client.until((t) => t.endsWith('got /b'));
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 3, text);
    assert.match(answers[0], /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 6\r\n[^]*\r\n\r\n$/i, 'HEAD: the length of the body it would have, and no body');
    assert.match(answers[1], /^HTTP\/1\.1 204 No Content\r\n[^]*\r\n\r\n$/);
    assert.doesNotMatch(answers[1], /transfer-encoding|content-length/i);
    assert.match(answers[2], /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ngot \/b$/);
    client.socket.destroy();
  });

  it('switches protocols for an upgrade behind pipelined requests once they are answered', async () => {
    const client = await connect(router.port);
    client.socket.write('GET /slow HTTP/1.1\r\nHost: web.localhost\r\n\r\nGET /ws HTTP/1.1\r\nHost: web.localhost\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nfirst bytes;');
    const switched = await client.until((t) => t.endsWith('first bytes;'));
    assert.ok(switched.indexOf('slow') < switched.indexOf('101 Switching Protocols'), `the pipelined answer comes first:\n${switched}`);
    client.socket.write('more');
    await client.until((t) => t.endsWith('first bytes;more'));
    client.socket.destroy();
  });

  it('answers CONNECT with 405: the router is no forward proxy', async () => {
    const answer = await rawExchange(router.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 405 Method Not Allowed\r\n[^]*Connection: close\r\n/);
  });

  it('honours Connection: close from the client, and closes an idle keep-alive connection after its timeout', async () => {
    const answer = await rawExchange(router.port, 'GET /a HTTP/1.1\r\nHost: web.localhost\r\nConnection: close\r\n\r\n');
    assert.match(answer, /\r\nConnection: close\r\n[^]*got \/a$/i);
    assert.doesNotMatch(answer, /keep-alive/i, 'no keep-alive hint on an answer that closes');
    const client = await connect(router.port);
    client.socket.write('GET /a HTTP/1.1\r\nHost: web.localhost\r\n\r\n');
    const kept = await client.until((t) => t.endsWith('got /a'));
    assert.match(kept, /\r\nKeep-Alive: timeout=1\r\n/, 'the client is told how long the idle connection stays open');
    const started = Date.now();
    await client.closed;
    const idleMs = Date.now() - started;
    assert.ok(idleMs >= 900 && idleMs < 3500, `closed after ${idleMs} ms idle`);
  });
});
