import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { normalizeReference } from './reference';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('normalizeReference', () => {
  const cases: Array<[string, { registry: string; endpoint: string; repository: string; canonical: string }]> = [
    ['node:20', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/node', canonical: 'docker.io/library/node:20' }],
    ['node', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/node', canonical: 'docker.io/library/node:latest' }],
    ['user/app', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'user/app', canonical: 'docker.io/user/app:latest' }],
    ['docker.io/node:20', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/node', canonical: 'docker.io/library/node:20' }],
    ['index.docker.io/library/node:20', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/node', canonical: 'docker.io/library/node:20' }],
    ['ghcr.io/owner/tool/cli:1.2.3', { registry: 'ghcr.io', endpoint: 'ghcr.io', repository: 'owner/tool/cli', canonical: 'ghcr.io/owner/tool/cli:1.2.3' }],
    ['registry.lan:5000/ns/img:tag', { registry: 'registry.lan:5000', endpoint: 'registry.lan:5000', repository: 'ns/img', canonical: 'registry.lan:5000/ns/img:tag' }],
    ['localhost/app', { registry: 'localhost', endpoint: 'localhost', repository: 'app', canonical: 'localhost/app:latest' }],
    ['localhost:3000/app:v3', { registry: 'localhost:3000', endpoint: 'localhost:3000', repository: 'app', canonical: 'localhost:3000/app:v3' }],
    ['127.0.0.1:3000/my-app:v1', { registry: '127.0.0.1:3000', endpoint: '127.0.0.1:3000', repository: 'my-app', canonical: '127.0.0.1:3000/my-app:v1' }],
    [`img@${DIGEST}`, { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/img', canonical: `docker.io/library/img@${DIGEST}` }],
    [`img:3@${DIGEST}`, { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/img', canonical: `docker.io/library/img:3@${DIGEST}` }],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${input} as ${expected.canonical}`, () => {
      const ref = normalizeReference(input);
      assert.deepEqual(
        { registry: ref.registry, endpoint: ref.endpoint, repository: ref.repository, canonical: ref.canonical },
        expected,
      );
      assert.equal(ref.name, `${expected.registry}/${expected.repository}`);
    });
  }

  it('keeps the digest and defaults the tag only when there is no digest', () => {
    assert.equal(normalizeReference(`img@${DIGEST}`).tag, undefined);
    assert.equal(normalizeReference(`img@${DIGEST}`).digest, DIGEST);
    assert.equal(normalizeReference('img').tag, 'latest');
  });

  it('treats a first component without a dot, colon or "localhost" as a Docker Hub namespace', () => {
    assert.equal(normalizeReference('myhost/app').registry, 'docker.io');
    assert.equal(normalizeReference('my.host/app').registry, 'my.host');
  });

  const invalid = [
    '',
    'Node:20',
    'node:',
    'node:-bad',
    'node@sha256:short',
    `node@sha512:${'a'.repeat(128)}`,
    'a//b',
    'host:5000/',
    'ns/Img',
    `x/${'a'.repeat(260)}`,
    'bad_host:5000:1/x',
  ];
  for (const reference of invalid) {
    it(`refuses ${JSON.stringify(reference.slice(0, 40))}`, () => {
      assert.throws(
        () => normalizeReference(reference),
        (error: unknown) =>
          error instanceof RegistryClientError &&
          error.code === RegistryClientErrorCode.InvalidReference &&
          /is not a valid image reference: .*; write it as/.test(error.message),
      );
    });
  }
});
