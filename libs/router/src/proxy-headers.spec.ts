import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downstreamResponseHeaders, headerValue, upstreamRequestHeaders } from './proxy-headers';

const CLIENT = '127.0.0.9';

function names(list: string[]): string[] {
  return list.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase()).sort();
}

describe('proxy headers', () => {
  it('adds X-Forwarded-For/Proto/Host, appending to an existing X-Forwarded-For and replacing a forged proto', () => {
    const headers = upstreamRequestHeaders(['Host', 'app.localhost:8080', 'X-Forwarded-For', '10.0.0.1', 'X-Forwarded-Proto', 'https', 'Accept', '*/*'], CLIENT, 'http');
    assert.equal(headerValue(headers, 'x-forwarded-for'), '10.0.0.1, 127.0.0.9');
    assert.equal(headerValue(headers, 'x-forwarded-proto'), 'http');
    assert.equal(headerValue(headers, 'x-forwarded-host'), 'app.localhost:8080');
    assert.equal(headerValue(headers, 'accept'), '*/*');
    assert.equal(names(headers).filter((name) => name === 'x-forwarded-proto').length, 1);
  });

  it('strips hop-by-hop headers, including those named in Connection', () => {
    const headers = upstreamRequestHeaders(['Host', 'a', 'Connection', 'keep-alive, X-Secret', 'Keep-Alive', 'timeout=5', 'X-Secret', '1', 'TE', 'trailers'], CLIENT, 'http');
    assert.deepEqual(names(headers), ['host', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);
    const answer = downstreamResponseHeaders(['Content-Type', 'text/html', 'Transfer-Encoding', 'chunked', 'Connection', 'close']);
    assert.deepEqual(answer, ['Content-Type', 'text/html']);
  });

  it('keeps Connection and Upgrade on a protocol upgrade, and duplicates such as Set-Cookie', () => {
    const headers = upstreamRequestHeaders(['Host', 'a', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], CLIENT, 'http', true);
    assert.equal(headerValue(headers, 'upgrade'), 'websocket');
    assert.equal(headerValue(headers, 'connection'), 'Upgrade');
    const answer = downstreamResponseHeaders(['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
    assert.deepEqual(answer, ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });
});
