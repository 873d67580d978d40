import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RouterFixture, startRouter, startUpstream } from './proxy-support';

const BIG = Buffer.alloc(5 * 1024 * 1024, 'berth');

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  raw: string[];
  body: Buffer;
}

function call(port: number, options: { method?: string; path?: string; body?: Buffer | Buffer[]; agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(options.body);
    const headers: http.OutgoingHttpHeaders = { host: 'web.localhost' };
    if (options.body && !chunked) headers['content-length'] = (options.body as Buffer).length;
    const request = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers, agent: options.agent ?? false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, raw: response.rawHeaders, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    for (const chunk of options.body === undefined ? [] : chunked ? (options.body as Buffer[]) : [options.body as Buffer]) request.write(chunk);
    request.end();
  });
}

/**
 * /stream's size: well over what the kernel may hold in the sockets between the app and a client
 * that reads nothing (here up to 32 MiB per receive buffer and 4 MiB per send buffer, two of each).
 */
const STREAM_MIB = 256;
/** MiB the app has managed to hand to its socket so far on /stream. */
let streamedMiB = 0;

/** Resolves once the app has written nothing more for 300 ms (held back) or all of /stream. */
async function appStalled(): Promise<number> {
  for (let last = -1; streamedMiB !== last && streamedMiB < STREAM_MIB; ) {
    last = streamedMiB;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return streamedMiB;
}

/** Writes `total` MiB as fast as the connection takes them (chunked, numbered blocks). */
function streamMegabytes(res: http.ServerResponse, total: number): void {
  streamedMiB = 0;
  const next = (): void => {
    while (streamedMiB < total) {
      const block = Buffer.alloc(1024 * 1024, String(streamedMiB % 10));
      streamedMiB++;
      if (!res.write(block)) return void res.once('drain', next);
    }
    res.end();
  };
  next();
}

/** The app: a route per behaviour the proxy must pass on faithfully. */
function app(req: http.IncomingMessage, res: http.ServerResponse): void {
  // Refuses before reading the body, as an auth check does.
  if (req.url === '/early') return void res.writeHead(401, { 'content-length': '2' }).end('no');
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    switch (req.url) {
      case '/echo':
        res.setHeader('x-seen-length', String(req.headers['content-length'] ?? 'none'));
        res.setHeader('x-seen-forwarded', `${req.headers['x-forwarded-for']}|${req.headers['x-forwarded-proto']}|${req.headers['x-forwarded-host']}`);
        return void res.end(body);
      case '/chunks':
        res.write('one,');
        setTimeout(() => res.write('two,'), 20);
        return void setTimeout(() => res.end('three'), 40);
      case '/big':
        return void res.end(BIG);
      case '/stream':
        return void streamMegabytes(res, STREAM_MIB);
      case '/cookies':
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.setHeader('connection', 'keep-alive, x-private');
        res.setHeader('x-private', 'hop');
        return void res.end('ok');
      case '/empty':
        return void res.writeHead(204).end();
      case '/not-modified':
        return void res.writeHead(304, { etag: '"v1"' }).end();
      default:
        res.setHeader('content-length', '11');
        return void res.end(req.method === 'HEAD' ? undefined : 'hello world');
    }
  });
}

describe('router: HTTP semantics through the proxy', () => {
  let router: RouterFixture;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let legacy: net.Server;
  const upstreamConnections: net.Socket[] = [];

  before(async () => {
    router = await startRouter();
    upstream = await startUpstream(app);
    upstream.server.on('connection', (socket) => upstreamConnections.push(socket));
    await router.addApp('web', [upstream.port]);
    // An app that ends its body by closing the connection (no length, not chunked).
    legacy = net.createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end')));
    await new Promise<void>((resolve) => legacy.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    await router?.close();
    await upstream?.close();
    legacy?.close();
  });

  it('forwards bodies both ways: with a length, chunked (re-chunked on the way), and 5 MiB intact', async () => {
    const sized = await call(router.port, { method: 'POST', path: '/echo', body: Buffer.from('sized body') });
    assert.deepEqual([sized.status, sized.body.toString(), sized.headers['x-seen-length']], [200, 'sized body', '10']);
    const chunked = await call(router.port, { method: 'POST', path: '/echo', body: [Buffer.from('part1-'), Buffer.from('part2')] });
    assert.deepEqual([chunked.body.toString(), chunked.headers['x-seen-length']], ['part1-part2', 'none']);
    const upload = await call(router.port, { method: 'PUT', path: '/echo', body: BIG });
    assert.equal(createHash('sha256').update(upload.body).digest('hex'), createHash('sha256').update(BIG).digest('hex'));
    const big = await call(router.port, { path: '/big' });
    assert.equal(big.body.length, BIG.length);
    assert.ok(big.body.equals(BIG));
    assert.equal(sized.headers['x-seen-forwarded'], '127.0.0.1|http|web.localhost');
  });

  it('holds the app back while a client reads slowly, instead of buffering its answer', async () => {
    const received = await new Promise<{ whilePaused: number; bytes: number; blocksInOrder: boolean }>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port: router.port, path: '/stream', headers: { host: 'web.localhost' }, agent: false }, (response) => {
        response.pause();
        void appStalled().then((whilePaused) => {
          let bytes = 0;
          let blocksInOrder = true;
          response.on('data', (chunk: Buffer) => {
            // Every byte of MiB n is the digit n % 10: a chunk from the wrong place shows here.
            for (let at = 0; at < chunk.length; at += 4096) blocksInOrder &&= chunk[at] === 0x30 + (Math.floor((bytes + at) / 1048576) % 10);
            bytes += chunk.length;
          });
          response.on('end', () => resolve({ whilePaused, bytes, blocksInOrder }));
          response.resume();
        });
      });
      request.on('error', reject);
    });
    assert.ok(received.whilePaused < STREAM_MIB / 2, `the app wrote ${received.whilePaused} of ${STREAM_MIB} MiB while the client read nothing`);
    assert.equal(received.bytes, STREAM_MIB * 1024 * 1024);
    assert.ok(received.blocksInOrder, 'every MiB arrived intact and in order');
  });

  it('passes a chunked answer, HEAD, 204 and 304 without inventing bodies', async () => {
    assert.equal((await call(router.port, { path: '/chunks' })).body.toString(), 'one,two,three');
    const head = await call(router.port, { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers['content-length'], head.body.length], [200, '11', 0]);
    assert.deepEqual([(await call(router.port, { path: '/empty' })).status, (await call(router.port, { path: '/not-modified' })).headers.etag], [204, '"v1"']);
    assert.equal((await call(router.port)).body.toString(), 'hello world');
  });

  it('keeps duplicate headers and drops hop-by-hop ones, including those the app names in Connection', async () => {
    const answer = await call(router.port, { path: '/cookies' });
    assert.deepEqual(answer.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(answer.headers['x-private'], undefined);
  });

  it('reuses its connections to the app (keep-alive) across many requests', async () => {
    const before = upstreamConnections.length;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 30; i++) assert.equal((await call(router.port, { agent })).status, 200);
    } finally {
      agent.destroy();
    }
    assert.ok(upstreamConnections.length - before <= 1, `${upstreamConnections.length - before} new connections to the app for 30 requests`);
  });

  it('does not reuse a connection the app answered on before the body was all sent', async () => {
    const early = await call(router.port, { method: 'POST', path: '/early', body: [Buffer.alloc(1024 * 1024), Buffer.alloc(1024 * 1024)] }).catch(() => undefined);
    assert.ok(early === undefined || early.status === 401);
    for (let i = 0; i < 10; i++) assert.equal((await call(router.port)).body.toString(), 'hello world');
  });

  it('reads an answer that ends with the connection', async () => {
    await router.addApp('legacy', [(legacy.address() as net.AddressInfo).port]);
    const answer = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: router.port, headers: { host: 'legacy.localhost' }, agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(`${response.statusCode} ${text}`));
      }).on('error', reject);
    });
    assert.equal(answer, '200 until the end');
  });
});
