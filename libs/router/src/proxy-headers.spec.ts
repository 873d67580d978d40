import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './proxy-headers';

function request(headers: Record<string, string>): IncomingMessage {
  return { headers, socket: { remoteAddress: '127.0.0.9' } } as unknown as IncomingMessage;
}

describe('proxy headers', () => {
  it('adds X-Forwarded-For/Proto/Host, appending to an existing X-Forwarded-For', () => {
    const headers = upstreamRequestHeaders(request({ host: 'app.localhost:8080', 'x-forwarded-for': '10.0.0.1', accept: '*/*' }), 'http');
    assert.equal(headers['x-forwarded-for'], '10.0.0.1, 127.0.0.9');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-host'], 'app.localhost:8080');
    assert.equal(headers.accept, '*/*');
  });

  it('strips hop-by-hop headers, including those named in Connection', () => {
    const headers = upstreamRequestHeaders(request({ host: 'a', connection: 'keep-alive, x-secret', 'keep-alive': 'timeout=5', 'x-secret': '1', te: 'trailers' }), 'http');
    assert.deepEqual(Object.keys(headers).sort(), ['host', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);
    assert.deepEqual(downstreamResponseHeaders({ 'content-type': 'text/html', 'transfer-encoding': 'chunked', connection: 'close' }), { 'content-type': 'text/html' });
  });
});
