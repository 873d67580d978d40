import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { RouterFixture, startRouter, startUpstream } from './proxy-support';

const GRACE_MS = 1000;

/** A WebSocket echo app: each message comes back prefixed with the instance's name. */
async function startEchoApp(name: string) {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (socket, request) => {
    socket.on('message', (data) => socket.send(`${name}:${data.toString()}:${request.headers['x-forwarded-for']}`));
  });
  const app = await startUpstream(
    (req, res) => {
      if (req.url !== '/events') return void res.end('ok');
      // Server-sent events: one event now, the next only much later.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: first\n\n');
      const later = setTimeout(() => res.end('data: last\n\n'), 10_000);
      res.on('close', () => clearTimeout(later));
    },
    (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request)),
  );
  return { ...app, close: async () => (wss.close(), app.close()) };
}

function connect(port: number, host: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/chat`, { headers: { host } });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(data.toString())));
}

/** Opens the SSE stream; resolves with the first chunk and when it came, and the whole stream later. */
function openEvents(port: number, host: string) {
  const started = Date.now();
  let first: (value: { text: string; afterMs: number }) => void;
  const firstChunk = new Promise<{ text: string; afterMs: number }>((resolve) => (first = resolve));
  let request: http.ClientRequest | undefined;
  const whole = new Promise<{ text: string; afterMs: number }>((resolve, reject) => {
    request = http
      .get({ host: '127.0.0.1', port, path: '/events', headers: { host }, agent: false }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text === '') first({ text: chunk, afterMs: Date.now() - started });
          text += chunk;
        });
        response.on('end', () => resolve({ text, afterMs: Date.now() - started }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
  return { firstChunk, whole, abort: () => request?.destroy() };
}

describe('router: WebSockets and server-sent events', () => {
  let router: RouterFixture;
  let blue: Awaited<ReturnType<typeof startEchoApp>>;
  let green: Awaited<ReturnType<typeof startEchoApp>>;

  before(async () => {
    router = await startRouter({ drainGraceMs: GRACE_MS });
    blue = await startEchoApp('blue');
    green = await startEchoApp('green');
    await router.addApp('echo', [blue.port]);
    await router.addApp('drained', [green.port]);
  });

  after(async () => {
    await router?.close();
    await blue?.close();
    await green?.close();
  });

  it('passes a WebSocket through: the echo comes back, many times, with X-Forwarded-For', async () => {
    const socket = await connect(router.port, 'echo.localhost');
    try {
      for (const text of ['hello', 'again', 'x'.repeat(100_000)]) {
        const answer = nextMessage(socket);
        socket.send(text);
        assert.equal(await answer, `blue:${text}:127.0.0.1`);
      }
    } finally {
      socket.close();
    }
  });

  it('streams server-sent events unbuffered: the first event arrives long before the stream ends', async () => {
    const { firstChunk, whole, abort } = openEvents(router.port, 'echo.localhost');
    void whole.catch(() => undefined);
    const first = await firstChunk;
    abort();
    assert.match(first.text, /data: first/);
    assert.ok(first.afterMs < 1000, `first event after ${first.afterMs} ms`);
  });

  it('on a drain, closes WebSockets with 1001 and ends event streams after the grace, then acknowledges', async () => {
    const socket = await connect(router.port, 'drained.localhost');
    const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
    );
    const events = openEvents(router.port, 'drained.localhost');
    await events.firstChunk;
    const started = Date.now();
    await router.drain('drained', green.port);
    const drainMs = Date.now() - started;
    const close = await closed;
    assert.deepEqual([close.code, close.reason], [1001, 'going away']);
    assert.ok(close.at - started >= GRACE_MS - 50, `closed ${close.at - started} ms after the drain began, before the grace`);
    assert.ok(drainMs >= GRACE_MS - 50 && drainMs < GRACE_MS + 3000, `drain acknowledged after ${drainMs} ms`);
    const stream = await events.whole;
    assert.equal(stream.text, 'data: first\n\n', 'the stream ended cleanly after its first event');
    assert.ok(stream.afterMs < 5000);
  });
});
