import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HTTP_METHODS, HTTP_PARSER } from './parser';
import { upstreamRequestHeaders } from '../proxy-headers';
import { readSimpleRequest, readSimpleResponse } from './simple-message';

const MAX_HEAD = 16 * 1024;

/** What llhttp makes of some bytes: its messages, and whether it stopped on an error or mid-message. */
interface LlhttpRead {
  messages: Array<{ start: string; httpMinor: number; headers: string[]; keepAlive: boolean; upgrade: boolean; body: string }>;
  error: boolean;
  midMessage: boolean;
}

function llhttp(kind: 'request' | 'response', data: Buffer): LlhttpRead {
  const Binding = HTTP_PARSER!;
  const parser = new Binding();
  parser.initialize(kind === 'request' ? Binding.REQUEST : Binding.RESPONSE, {}, MAX_HEAD, 0);
  const read: LlhttpRead = { messages: [], error: false, midMessage: false };
  let body: Buffer[] = [];
  let partHeaders: string[] = [];
  parser[Binding.kOnMessageBegin] = () => void (read.midMessage = true);
  parser[Binding.kOnHeaders] = (headers: string[]) => void partHeaders.push(...headers);
  parser[Binding.kOnHeadersComplete] = (_major: number, minor: number, headers: string[] | undefined, method: number, url: string | undefined, status: number, _text: string, upgrade: boolean, keepAlive: boolean) => {
    const start = kind === 'request' ? `${HTTP_METHODS[method]} ${url}` : String(status);
    read.messages.push({ start, httpMinor: minor, headers: [...partHeaders, ...(headers ?? [])], keepAlive, upgrade, body: '' });
    partHeaders = [];
    return 0;
  };
  parser[Binding.kOnBody] = (chunk: Buffer) => void body.push(chunk);
  parser[Binding.kOnMessageComplete] = () => {
    read.midMessage = false;
    read.messages[read.messages.length - 1].body = Buffer.concat(body).toString('latin1');
    body = [];
  };
  parser[Binding.kOnExecute] = () => undefined;
  const result = parser.execute(data);
  parser.close();
  read.error = result instanceof Error || result !== data.length;
  return read;
}

/** If the fast reader takes the request, llhttp reads exactly one identical, bodyless message from the same bytes. */
function assertRequestParity(data: Buffer): boolean {
  const simple = readSimpleRequest(data, 0, MAX_HEAD);
  if (simple === undefined) return false;
  const read = llhttp('request', data.subarray(0, simple.end));
  const context = JSON.stringify(data.toString('latin1'));
  assert.equal(read.error, false, `llhttp rejects a request the fast reader took: ${context}`);
  assert.equal(read.midMessage, false, context);
  assert.equal(read.messages.length, 1, context);
  const [message] = read.messages;
  assert.deepEqual(
    { start: message.start, httpMinor: message.httpMinor, headers: message.headers, keepAlive: message.keepAlive, upgrade: message.upgrade, body: message.body },
    { start: `${simple.method} ${simple.url}`, httpMinor: simple.httpMinor, headers: simple.headers, keepAlive: simple.keepAlive, upgrade: false, body: '' },
    context,
  );
  assertForwardParity(simple.headers, simple.forwardLines, context);
  return true;
}

/** Lines passed on as they came, with the router's X-Forwarded-*, say what proxy-headers.ts would send. */
function assertForwardParity(headers: string[], forwardLines: string | undefined, context: string): void {
  if (forwardLines === undefined) return;
  let host = '';
  for (let i = 0; i < headers.length; i += 2) if (headers[i].toLowerCase() === 'host') host = headers[i + 1];
  const forwarded = [...splitLines(forwardLines), 'X-Forwarded-For', '10.1.2.3', 'X-Forwarded-Proto', 'http', 'X-Forwarded-Host', host];
  assert.deepEqual(forwarded, upstreamRequestHeaders(headers, '10.1.2.3', 'http'), `forwarded lines: ${context}`);
}

/** "Name: value" lines back into a flat list, blanks after the colon left out as llhttp leaves them. */
function splitLines(lines: string): string[] {
  const list: string[] = [];
  for (const line of lines.split('\r\n').slice(0, -1)) {
    const colon = line.indexOf(':');
    list.push(line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+/, ''));
  }
  return list;
}

/** A flat list without the hop-by-hop headers a simple response drops; and the Keep-Alive value. */
function withoutConnectionHeaders(headers: string[]): { kept: string[]; keepAlive?: string } {
  const kept: string[] = [];
  let keepAlive: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i].toLowerCase();
    if (name === 'keep-alive') keepAlive ??= headers[i + 1];
    if (name !== 'connection' && name !== 'keep-alive') kept.push(headers[i], headers[i + 1]);
  }
  return { kept, keepAlive };
}

function assertResponseParity(data: Buffer): boolean {
  const simple = readSimpleResponse(data, MAX_HEAD);
  if (simple === undefined) return false;
  const read = llhttp('response', data);
  const context = JSON.stringify(data.toString('latin1'));
  assert.equal(read.error, false, `llhttp rejects a response the fast reader took: ${context}`);
  assert.equal(read.midMessage, false, context);
  assert.equal(read.messages.length, 1, context);
  const [message] = read.messages;
  const body = data.subarray(simple.bodyStart, simple.bodyStart + simple.bodyLength).toString('latin1');
  assert.equal(simple.bodyStart + simple.bodyLength, data.length, context);
  const expected = withoutConnectionHeaders(message.headers);
  assert.ok(simple.lines === '' || simple.lines.endsWith('\r\n'), context);
  assert.deepEqual(
    { start: message.start, headers: expected.kept, keepAliveHeader: expected.keepAlive, keepAlive: message.keepAlive, body: message.body },
    { start: String(simple.status), headers: splitLines(simple.lines), keepAliveHeader: simple.keepAliveHeader, keepAlive: simple.keepAlive, body },
    context,
  );
  return true;
}

const REQUESTS = [
  'GET / HTTP/1.1\r\nHost: bench.localhost\r\n\r\n',
  'GET /api/items?page=2&sort=-name HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n',
  'HEAD /health HTTP/1.0\r\nHost: a.localhost\r\nConnection: keep-alive\r\n\r\n',
  'DELETE /items/7 HTTP/1.1\r\nHost: a.localhost\r\nConnection: close\r\nCookie: a=1; b=2\r\n\r\n',
  'GET /%7Euser/caf%C3%A9 HTTP/1.1\r\nHost: a.localhost\r\nX-Empty:\r\nX-Tabbed:\tv1\tv2\r\nX-Latin: caf\xe9\r\n\r\n',
  'OPTIONS /x HTTP/1.0\r\nHost: a.localhost\r\n\r\n',
  'GET /page HTTP/1.1\r\nHost: a.localhost\r\nConnection: keep-alive\r\nKeep-Alive: 300\r\nAccept-Language: en\r\nX-Forwarded-Proto: https\r\nte: trailers\r\nproxy-connection: x\r\n\r\n',
];

const RESPONSES = [
  'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 23 Nov 2026 03:59:20 GMT\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n{"ok":true}',
  'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 302 Found\r\nLocation: /login\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbye\n',
  'HTTP/1.1 500 \r\nX-Powered-By: Express\r\nContent-Length: 3\r\n\r\nerr',
  'HTTP/1.1 201 Created\r\nContent-Length: 6\r\nKeep-Alive: timeout=5\r\nETag: W/"6-abc"\r\n\r\ncaf\xe9\r\n',
  'HTTP/1.1 200 OK\r\nX-Powered-By: Express\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 2\r\nETag: W/"2-nOO9QiTIwXgNtWtBJezz8kv3SLc"\r\nDate: Mon, 23 Nov 2026 03:59:20 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhi',
];

/** Bytes a mutation inserts or writes over: the ones that matter to HTTP framing and some that should never appear. */
const ALPHABET = Buffer.from('\r\n \t:;,/?#%0123456789azAZ-_.\0\x01\x7f\x80\xff"\\', 'latin1');

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function mutate(message: Buffer, next: () => number): Buffer {
  const bytes = [...message];
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (bytes.length + 1));
    const byte = ALPHABET[Math.floor(next() * ALPHABET.length)];
    const kind = next();
    if (kind < 0.4) bytes.splice(at, 0, byte);
    else if (kind < 0.8) bytes[Math.min(at, bytes.length - 1)] = byte;
    else bytes.splice(at, 1);
  }
  return Buffer.from(bytes);
}

describe('simple HTTP/1.1 messages read without llhttp', () => {
  it('reads the common requests and responses itself, exactly as llhttp does', () => {
    for (const text of REQUESTS) assert.ok(assertRequestParity(Buffer.from(text, 'latin1')), `not taken: ${JSON.stringify(text)}`);
    for (const text of RESPONSES) assert.ok(assertResponseParity(Buffer.from(text, 'latin1')), `not taken: ${JSON.stringify(text)}`);
  });

  it('leaves to llhttp what it does not handle: bodies, codings, upgrades, 1xx/204/304, split or trailing bytes', () => {
    const requests = [
      'POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi',
      'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      'CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n',
      'GET / HTTP/1.1\r\nHost : a\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, x-secret\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n',
      'GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\n',
      'GET / HTTP/1.1\nHost: a\n\n',
    ];
    for (const text of requests) assert.equal(readSimpleRequest(Buffer.from(text), 0, MAX_HEAD), undefined, JSON.stringify(text));
    assert.equal(readSimpleRequest(Buffer.from(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(MAX_HEAD)}\r\n\r\n`), 0, MAX_HEAD), undefined);
    const responses = [
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close',
      'HTTP/1.1 100 Continue\r\n\r\n',
      'HTTP/1.1 204 No Content\r\n\r\n',
      'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi',
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 200 OK\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi',
      'HTTP/1.1 200 OK\r\nContent-Length: 2 \r\n\r\nhi',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close, x-secret\r\nX-Secret: 1\r\n\r\nhi',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTrailer: Expires\r\n\r\nhi',
    ];
    for (const text of responses) assert.equal(readSimpleResponse(Buffer.from(text), MAX_HEAD), undefined, JSON.stringify(text));
  });

  it("passes a response's header lines on as they came, less Connection and Keep-Alive, whose meaning it keeps", () => {
    const simple = readSimpleResponse(Buffer.from(RESPONSES[5]), MAX_HEAD)!;
    assert.equal(simple.lines, 'X-Powered-By: Express\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 2\r\nETag: W/"2-nOO9QiTIwXgNtWtBJezz8kv3SLc"\r\nDate: Mon, 23 Nov 2026 03:59:20 GMT\r\n');
    assert.deepEqual([simple.keepAlive, simple.keepAliveHeader, simple.bodyLength], [true, 'timeout=5', 2]);
    assert.equal(readSimpleResponse(Buffer.from(RESPONSES[2]), MAX_HEAD)!.keepAlive, false, 'Connection: close');
  });

  it("passes a request's header lines on as they came when only Connection/Keep-Alive must go", () => {
    const browser = 'GET / HTTP/1.1\r\nHost: a.localhost\r\nConnection: keep-alive\r\nAccept: text/html\r\nKeep-Alive: 300\r\n\r\n';
    assert.equal(readSimpleRequest(Buffer.from(browser), 0, MAX_HEAD)!.forwardLines, 'Host: a.localhost\r\nAccept: text/html\r\n');
    const notAsTheyCame = [
      'GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nTE: trailers\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nProxy-Authorization: Basic eDp5\r\n\r\n',
    ];
    for (const text of notAsTheyCame) assert.equal(readSimpleRequest(Buffer.from(text), 0, MAX_HEAD)!.forwardLines, undefined, JSON.stringify(text));
  });

  it('reads a pipeline of requests one head at a time', () => {
    const data = Buffer.from(REQUESTS[0] + REQUESTS[1] + 'GET /par', 'latin1');
    const first = readSimpleRequest(data, 0, MAX_HEAD)!;
    const second = readSimpleRequest(data, first.end, MAX_HEAD)!;
    assert.deepEqual([first.url, second.url], ['/', '/api/items?page=2&sort=-name']);
    assert.equal(readSimpleRequest(data, second.end, MAX_HEAD), undefined, 'a partial head is left for llhttp');
  });

  it('never reads a mutated message differently from llhttp (20,000 seeded mutations)', () => {
    const next = random(20261123);
    let taken = 0;
    for (let i = 0; i < 10_000; i++) {
      if (assertRequestParity(mutate(Buffer.from(REQUESTS[i % REQUESTS.length], 'latin1'), next))) taken++;
      if (assertResponseParity(mutate(Buffer.from(RESPONSES[i % RESPONSES.length], 'latin1'), next))) taken++;
    }
    // Many mutations (a changed letter in a value, a digit in a path) leave a message simple: the check has teeth.
    assert.ok(taken > 2000, `only ${taken} mutated messages were read without llhttp`);
  });
});
