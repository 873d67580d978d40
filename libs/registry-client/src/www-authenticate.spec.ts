import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWwwAuthenticate } from './www-authenticate';

describe('parseWwwAuthenticate', () => {
  it("reads Docker Hub's bearer challenge", () => {
    const header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull"';
    assert.deepEqual(parseWwwAuthenticate(header), [
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/node:pull' },
      },
    ]);
  });

  it('keeps commas inside quoted values and unescapes quoted pairs', () => {
    const header = 'Bearer realm="http://127.0.0.1:1/token", scope="repository:a:pull,push", error="insufficient_scope", note="say \\"hi\\""';
    const [challenge] = parseWwwAuthenticate(header);
    assert.equal(challenge.params['scope'], 'repository:a:pull,push');
    assert.equal(challenge.params['error'], 'insufficient_scope');
    assert.equal(challenge.params['note'], 'say "hi"');
  });

  it('reads several challenges, tokens as values, and any letter case', () => {
    const challenges = parseWwwAuthenticate('Basic realm="Registry Realm", BEARER Realm=https://auth.example/t ,Service=reg');
    assert.deepEqual(challenges, [
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      { scheme: 'bearer', params: { realm: 'https://auth.example/t', service: 'reg' } },
    ]);
  });

  it('accepts a scheme without parameters and an empty header', () => {
    assert.deepEqual(parseWwwAuthenticate('Basic'), [{ scheme: 'basic', params: {} }]);
    assert.deepEqual(parseWwwAuthenticate('Negotiate abc123==, Basic realm=x'), [
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    assert.deepEqual(parseWwwAuthenticate(''), []);
  });
});
