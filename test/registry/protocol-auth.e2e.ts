import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { BerthRegistry, startBerthRegistry } from './support/registries';
import { firstError, RegistryHttp } from './support/registry-http';

describe('registry protocol: authentication, names and routing', () => {
  let registry: BerthRegistry;
  let http: RegistryHttp;

  before(async () => {
    registry = await startBerthRegistry();
    http = new RegistryHttp(registry);
  });

  after(async () => {
    await registry?.stop();
  });

  describe('authentication', () => {
    it('GET /v2/ answers 200 {} with the API version header for a token as the Basic password', async () => {
      const reply = await http.request('GET', '/v2/');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, {});
      assert.equal(reply.headers.get('docker-distribution-api-version'), 'registry/2.0');
    });

    it('answers 401 with a Basic challenge and UNAUTHORIZED without credentials', async () => {
      const reply = await http.request('GET', '/v2/', { auth: false });
      assert.equal(reply.status, 401);
      assert.equal(reply.headers.get('www-authenticate'), 'Basic realm="Berth"');
      assert.equal(reply.headers.get('docker-distribution-api-version'), 'registry/2.0');
      assert.equal(firstError(reply).code, 'UNAUTHORIZED');
      assert.deepEqual(Object.keys(reply.json.errors[0]).sort(), ['code', 'detail', 'message']);
    });

    for (const [what, header] of [
      ['a wrong password', `Basic ${Buffer.from('berth:berth_not-a-token').toString('base64')}`],
      ['a user name without password', `Basic ${Buffer.from('berth').toString('base64')}`],
      ['a wrong bearer token', 'Bearer berth_not-a-token'],
      ['another scheme', 'Digest username="berth"'],
    ]) {
      it(`answers 401 UNAUTHORIZED for ${what}`, async () => {
        const reply = await http.request('GET', '/v2/', { auth: header });
        assert.equal(reply.status, 401);
        assert.equal(reply.headers.get('www-authenticate'), 'Basic realm="Berth"');
        assert.equal(firstError(reply).code, 'UNAUTHORIZED');
      });
    }

    it('takes any user name with the token, and the token as a bearer token', async () => {
      const basic = `Basic ${Buffer.from(`someone-else:${registry.password}`).toString('base64')}`;
      assert.equal((await http.request('GET', '/v2/', { auth: basic })).status, 200);
      assert.equal((await http.request('GET', '/v2/', { auth: `Bearer ${registry.password}` })).status, 200);
    });

    it('guards every endpoint, and a refused upload leaves nothing behind', async () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const requests: Array<[string, string]> = [
        ['GET', '/v2/_catalog'],
        ['GET', '/v2/app/tags/list'],
        ['GET', '/v2/app/manifests/latest'],
        ['PUT', '/v2/app/manifests/latest'],
        ['HEAD', `/v2/app/blobs/${digest}`],
        ['POST', '/v2/app/blobs/uploads/'],
        ['POST', `/v2/app/blobs/uploads/?digest=${digest}`],
        ['PATCH', '/v2/app/blobs/uploads/00000000-0000-4000-8000-000000000000'],
      ];
      for (const [method, path] of requests) {
        const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.alloc(1024 * 1024, 1);
        const reply = await http.request(method, path, { auth: false, body });
        assert.equal(reply.status, 401, `${method} ${path}`);
        assert.equal(reply.headers.get('www-authenticate'), 'Basic realm="Berth"');
      }
      assert.deepEqual(await fs.readdir(registry.uploadsDir).catch(() => []), []);
      assert.deepEqual(await registry.store.blobs.list(), []);
    });
  });

  describe('repository names', () => {
    const invalid = ['UPPER/app', 'Upper', 'a..b', '-a', 'a-', '.a', 'a_', 'a/', 'a//b', 'a/-b', 'a___b', 'a%2Fb', 'a:b', 'x'.repeat(256)];
    for (const name of invalid) {
      it(`refuses ${JSON.stringify(name.length > 20 ? `${name.slice(0, 10)}… (${name.length})` : name)} with 400 NAME_INVALID`, async () => {
        const reply = await http.request('GET', `/v2/${name}/tags/list`);
        assert.equal(reply.status, 400);
        assert.equal(firstError(reply).code, 'NAME_INVALID');
      });
    }

    it('refuses an invalid name on uploads and manifests too', async () => {
      assert.equal(firstError(await http.request('POST', '/v2/Bad/blobs/uploads/')).code, 'NAME_INVALID');
      assert.equal(firstError(await http.putManifest('bad..name', 'v1', '{}', 'application/json')).code, 'NAME_INVALID');
    });

    for (const name of ['a', 'a/b/c', 'a__b', 'a---b', 'a.b_c-d', 'x'.repeat(255), 'team/app.v2']) {
      it(`accepts ${JSON.stringify(name.length > 20 ? `${name.slice(0, 10)}… (${name.length})` : name)} (unknown: 404 NAME_UNKNOWN)`, async () => {
        const reply = await http.request('GET', `/v2/${name}/tags/list`);
        assert.equal(reply.status, 404);
        assert.equal(firstError(reply).code, 'NAME_UNKNOWN');
      });
    }
  });

  describe('routing and error format', () => {
    it('answers an unknown endpoint with 404 in the registry format', async () => {
      const reply = await http.request('GET', '/v2/app/nothing-here');
      assert.equal(reply.status, 404);
      assert.ok(Array.isArray(reply.json.errors));
      assert.equal(reply.json.error, undefined);
    });

    it('answers a method an endpoint does not have with 405 UNSUPPORTED and Allow', async () => {
      const reply = await http.request('POST', '/v2/app/manifests/latest', { body: '{}' });
      assert.equal(reply.status, 405);
      assert.equal(firstError(reply).code, 'UNSUPPORTED');
      assert.match(reply.headers.get('allow') ?? '', /PUT/);
      const blob = await http.request('DELETE', `/v2/app/blobs/sha256:${'b'.repeat(64)}`);
      assert.equal(blob.status, 405);
      assert.equal(firstError(blob).code, 'UNSUPPORTED');
    });

    it('leaves /api to its own JSON errors and bearer guard', async () => {
      const reply = await fetch(`${registry.url}/api/apps`);
      assert.equal(reply.status, 401);
      const body = (await reply.json()) as { error?: { code: string } };
      assert.equal(body.error?.code, 'missing_token');
    });
  });
});
