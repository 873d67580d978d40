import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LayerStoreError } from './errors';
import { parseReference, taggedName } from './reference';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseReference', () => {
  const valid: [string, object][] = [
    ['app', { name: 'app', tag: 'latest' }],
    ['app:v1.2_rc-3', { name: 'app', tag: 'v1.2_rc-3' }],
    ['team/app:v1', { name: 'team/app', tag: 'v1' }],
    ['localhost:5000/app', { name: 'localhost:5000/app', tag: 'latest' }],
    ['registry.example.com:443/a/b/c:x', { name: 'registry.example.com:443/a/b/c', tag: 'x' }],
    [`app@${DIGEST}`, { name: 'app', tag: undefined, digest: DIGEST }],
    [`app:v1@${DIGEST}`, { name: 'app', tag: 'v1', digest: DIGEST }],
    [DIGEST, { digest: DIGEST }],
  ];
  for (const [reference, expected] of valid) {
    it(`parses ${reference}`, () => assert.deepEqual(parseReference(reference), expected));
  }
  const invalid = ['', 'App', 'app:', ':tag', 'app:-x', 'a//b', 'app@sha256:zz', '../app', 'app:t'.padEnd(140, 't'), 'a'.repeat(256)];
  for (const reference of invalid) {
    it(`refuses ${JSON.stringify(reference.slice(0, 30))}`, () => assert.throws(() => parseReference(reference), LayerStoreError));
  }
  it('tags need a name and no digest', () => {
    assert.equal(taggedName('app'), 'app:latest');
    assert.throws(() => taggedName(DIGEST), LayerStoreError);
    assert.throws(() => taggedName(`app@${DIGEST}`), LayerStoreError);
  });
});
