import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainIdOf, chainIdsOf, Digest, digestHex, parseDigest } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';

// DiffIDs are sha256("a"), sha256("b"), sha256("c"); the chains were computed with
// printf '%s %s' "$parent" "$diffid" | sha256sum.
const A = 'sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb' as Digest;
const B = 'sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d' as Digest;
const C = 'sha256:2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6' as Digest;
const AB = 'sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676';
const ABC = 'sha256:2fce7f8ce91bcf0a1428b36e1024639fdbd9469eea762dba98aa749631885106';

describe('ChainID', () => {
  it('is the DiffID for a single layer', () => assert.equal(chainIdOf([A]), A));
  it('hashes parent ChainID, space, DiffID for the next layers', () => {
    assert.deepEqual(chainIdsOf([A, B, C]), [A, AB, ABC]);
    assert.equal(chainIdOf([A, B, C]), ABC);
  });
  it('depends on layer order', () => assert.notEqual(chainIdOf([B, A]), AB));
  it('needs at least one layer', () => assert.throws(() => chainIdOf([]), LayerStoreError));
});

describe('parseDigest', () => {
  it('accepts sha256 with 64 lowercase hex', () => assert.equal(parseDigest(A), A));
  for (const bad of [
    'sha256:../../etc/passwd',
    `sha256:${'A'.repeat(64)}`,
    `sha256:${'a'.repeat(63)}`,
    `sha256:${'a'.repeat(65)}`,
    `sha512:${'a'.repeat(64)}`,
    `sha256:${'a'.repeat(64)}\n`,
    `sha256:${'a'.repeat(63)}/`,
    '',
  ]) {
    it(`refuses ${JSON.stringify(bad.slice(0, 24))}…`, () => {
      assert.throws(
        () => parseDigest(bad),
        (error: unknown) => error instanceof LayerStoreError && error.code === LayerStoreErrorCode.InvalidDigest,
      );
    });
  }
  it('refuses non-strings', () => assert.throws(() => parseDigest(42), LayerStoreError));
  it('gives the hex part for paths', () => assert.equal(digestHex(A), A.slice(7)));
});
