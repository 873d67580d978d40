import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseContentRange, parseRangeHeader, uploadedRange } from './ranges';
import { RegistryError } from './registry.errors';

describe('Range requests', () => {
  it('parses single byte ranges, clamping the end to the blob', () => {
    assert.deepEqual(parseRangeHeader('bytes=0-4', 10), { start: 0, end: 4 });
    assert.deepEqual(parseRangeHeader('bytes=4-', 10), { start: 4, end: 9 });
    assert.deepEqual(parseRangeHeader('bytes=-3', 10), { start: 7, end: 9 });
    assert.deepEqual(parseRangeHeader('bytes=8-20', 10), { start: 8, end: 9 });
  });

  it('ignores no Range, other units and multiple ranges', () => {
    for (const header of [undefined, '', 'items=0-1', 'bytes=0-1,4-5']) assert.equal(parseRangeHeader(header, 10), null);
  });

  it('answers 416 with Content-Range */size for what cannot be served', () => {
    for (const header of ['bytes=10-', 'bytes=3-2', 'bytes=x-1', 'bytes=-0', 'bytes=-', 'bytes=0-0']) {
      const size = header === 'bytes=0-0' ? 0 : 10;
      assert.throws(
        () => parseRangeHeader(header, size),
        (error: unknown) => error instanceof RegistryError && error.status === 416 && error.headers['Content-Range'] === `bytes */${size}`,
        header,
      );
    }
  });
});

describe('upload ranges', () => {
  it("parses Docker's Content-Range and the bytes-prefixed forms", () => {
    assert.deepEqual(parseContentRange('0-1023'), { start: 0, end: 1023 });
    assert.deepEqual(parseContentRange('bytes 10-19/*'), { start: 10, end: 19 });
    assert.deepEqual(parseContentRange('bytes=10-19'), { start: 10, end: 19 });
    assert.equal(parseContentRange(undefined), null);
    assert.throws(() => parseContentRange('5-4'), RegistryError);
    assert.throws(() => parseContentRange('abc'), RegistryError);
  });

  it('reports progress as distribution does: 0-0 for nothing, else 0-(size-1)', () => {
    assert.equal(uploadedRange(0), '0-0');
    assert.equal(uploadedRange(1), '0-0');
    assert.equal(uploadedRange(100), '0-99');
  });
});
