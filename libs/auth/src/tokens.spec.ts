import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateToken, hashToken } from './tokens';

describe('tokens', () => {
  it('generates distinct, prefixed, url-safe tokens', () => {
    const a = generateToken();
    const b = generateToken();
    assert.notEqual(a, b);
    assert.match(a, /^berth_[A-Za-z0-9_-]{43}$/);
  });

  it('hashes deterministically and never returns the token itself', () => {
    const token = generateToken();
    assert.equal(hashToken(token), hashToken(token));
    assert.notEqual(hashToken(token), token);
    assert.match(hashToken(token), /^[0-9a-f]{64}$/);
    assert.notEqual(hashToken(token), hashToken(token + 'x'));
  });
});
