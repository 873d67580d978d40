import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { announcedIdleMs, HTTP_PARSER } from './upstream-pool';

describe('upstream pool', () => {
  it('finds the HTTP parser in this Node', () => {
    assert.ok(HTTP_PARSER, 'process.binding("http_parser") is gone: the router needs another parser');
  });

  it('keeps idle connections shorter than the app announces, and 4 s at most', () => {
    assert.equal(announcedIdleMs(['Content-Length', '2', 'Keep-Alive', 'timeout=2']), 1500);
    assert.equal(announcedIdleMs(['keep-alive', 'timeout=60, max=100']), 4000);
    assert.equal(announcedIdleMs(['Content-Length', '2']), 4000);
  });
});
