import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { announcedIdleMs, HTTP_PARSER } from './upstream-pool';

describe('upstream pool', () => {
  it('finds the HTTP parser in this Node', () => {
    assert.ok(HTTP_PARSER, 'process.binding("http_parser") is gone: the router needs another parser');
  });

  it("hands response bodies on as copies, so the pool's one shared read buffer can be reused at once", () => {
    const Binding = HTTP_PARSER!;
    const parser = new Binding();
    parser.initialize(Binding.RESPONSE, {}, 0, 0);
    const input = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    const chunks: Buffer[] = [];
    parser[Binding.kOnHeadersComplete] = () => 0;
    parser[Binding.kOnBody] = (chunk: Buffer) => void chunks.push(chunk);
    parser[Binding.kOnMessageComplete] = () => undefined;
    parser[Binding.kOnExecute] = () => undefined;
    parser.execute(input);
    input.fill(0x58);
    parser.close();
    assert.deepEqual(chunks.map(String), ['hello'], 'the body survives the read buffer being overwritten');
  });

  it('keeps idle connections shorter than the app announces, and 4 s at most', () => {
    assert.equal(announcedIdleMs(['Content-Length', '2', 'Keep-Alive', 'timeout=2']), 1500);
    assert.equal(announcedIdleMs(['keep-alive', 'timeout=60, max=100']), 4000);
    assert.equal(announcedIdleMs(['Content-Length', '2']), 4000);
  });
});
