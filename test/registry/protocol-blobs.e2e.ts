import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256 } from './support/images';
import { BerthRegistry, startBerthRegistry } from './support/registries';
import { firstError, RegistryHttp, sendTruncated } from './support/registry-http';

describe('registry protocol: blobs and uploads', () => {
  let registry: BerthRegistry;
  let http: RegistryHttp;

  before(async () => {
    registry = await startBerthRegistry();
    http = new RegistryHttp(registry);
  });

  after(async () => {
    await registry?.stop();
  });

  /** Nothing of a failed upload may stay: no session, no temp file, no blob under either digest. */
  async function assertNothingLeft(...digests: string[]): Promise<void> {
    assert.deepEqual(await fs.readdir(registry.uploadsDir).catch(() => []), [], 'upload sessions');
    assert.deepEqual(await fs.readdir(registry.store.layout.tmpDir), [], 'store temp files');
    for (const digest of digests) assert.equal(await registry.store.blobs.has(digest as `sha256:${string}`), false, digest);
  }

  describe('monolithic uploads', () => {
    it('stores a blob sent in one POST ?digest= and serves it from GET and HEAD', async () => {
      const content = randomBytes(5000);
      const digest = sha256(content);
      const pushed = await http.pushBlob('mono/app', content, digest);
      assert.equal(pushed.status, 201);
      assert.equal(pushed.headers.get('location'), `/v2/mono/app/blobs/${digest}`);
      assert.equal(pushed.headers.get('docker-content-digest'), digest);
      const got = await http.request('GET', `/v2/mono/app/blobs/${digest}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, content);
      assert.equal(got.headers.get('content-type'), 'application/octet-stream');
      assert.equal(got.headers.get('docker-content-digest'), digest);
      const head = await http.request('HEAD', `/v2/mono/app/blobs/${digest}`);
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), '5000');
      assert.equal(head.body.length, 0);
    });

    it('refuses a wrong digest with DIGEST_INVALID and keeps nothing', async () => {
      const content = randomBytes(3000);
      const claimed = sha256('something else');
      const reply = await http.pushBlob('mono/app', content, claimed);
      assert.equal(reply.status, 400);
      assert.equal(firstError(reply).code, 'DIGEST_INVALID');
      await assertNothingLeft(claimed, sha256(content));
    });

    it('refuses a malformed or missing digest with DIGEST_INVALID', async () => {
      for (const digest of ['sha256:xyz', 'md5:abc', `sha512:${'a'.repeat(128)}`, `sha256:${'A'.repeat(64)}`]) {
        const reply = await http.pushBlob('mono/app', 'x', digest);
        assert.equal(reply.status, 400, digest);
        assert.equal(firstError(reply).code, 'DIGEST_INVALID', digest);
      }
      await assertNothingLeft(sha256('x'));
    });

    it('keeps nothing of a POST whose client hangs up half way', async () => {
      const content = randomBytes(200_000);
      const digest = sha256(content);
      await sendTruncated(registry, 'POST', `/v2/mono/app/blobs/uploads/?digest=${digest}`, content.length, content.subarray(0, 90_000), http.basicAuth);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await assertNothingLeft(digest);
    });

    it('stores a blob sent whole in the closing PUT of a fresh session', async () => {
      const content = randomBytes(4096);
      const location = await http.startUpload('mono/app');
      const reply = await http.request('PUT', `${location}?digest=${sha256(content)}`, { body: content });
      assert.equal(reply.status, 201);
      assert.deepEqual((await http.request('GET', `/v2/mono/app/blobs/${sha256(content)}`)).body, content);
    });
  });

  describe('chunked uploads', () => {
    it('takes chunks with Content-Range, reports progress and finishes with PUT ?digest=', async () => {
      const content = randomBytes(30_000);
      const started = await http.request('POST', '/v2/chunks/app/blobs/uploads/');
      assert.equal(started.status, 202);
      const location = started.headers.get('location')!;
      const uuid = started.headers.get('docker-upload-uuid')!;
      assert.match(location, new RegExp(`^/v2/chunks/app/blobs/uploads/${uuid}$`));
      assert.equal(started.headers.get('range'), '0-0');
      const first = await http.request('PATCH', location, { body: content.subarray(0, 10_000), headers: { 'content-range': '0-9999' } });
      assert.equal(first.status, 202);
      assert.equal(first.headers.get('range'), '0-9999');
      assert.equal(first.headers.get('docker-upload-uuid'), uuid);
      // The second chunk without Content-Range, as Docker streams a layer.
      const second = await http.request('PATCH', location, { body: content.subarray(10_000, 20_000) });
      assert.equal(second.headers.get('range'), '0-19999');
      const status = await http.request('GET', location);
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), '0-19999');
      const done = await http.request('PUT', `${location}?digest=${sha256(content)}`, {
        body: content.subarray(20_000),
        headers: { 'content-range': '20000-29999' },
      });
      assert.equal(done.status, 201);
      assert.equal(done.headers.get('docker-content-digest'), sha256(content));
      assert.deepEqual((await http.request('GET', `/v2/chunks/app/blobs/${sha256(content)}`)).body, content);
      assert.equal(firstError(await http.request('GET', location)).code, 'BLOB_UPLOAD_UNKNOWN');
      await assertNothingLeft();
    });

    it('takes one streamed PATCH without Content-Range or Content-Length (how Docker pushes)', async () => {
      const content = randomBytes(300_000);
      const location = await http.startUpload('chunks/app');
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < content.length; offset += 65_536) controller.enqueue(content.subarray(offset, offset + 65_536));
          controller.close();
        },
      });
      const patched = await http.request('PATCH', location, { body });
      assert.equal(patched.status, 202);
      assert.equal(patched.headers.get('range'), `0-${content.length - 1}`);
      assert.equal((await http.request('PUT', `${location}?digest=${sha256(content)}`)).status, 201);
    });

    it('refuses a chunk out of order with 416 and the range received so far', async () => {
      const location = await http.startUpload('chunks/app');
      await http.request('PATCH', location, { body: 'abcde', headers: { 'content-range': '0-4' } });
      const reply = await http.request('PATCH', location, { body: 'ghij', headers: { 'content-range': '6-9' } });
      assert.equal(reply.status, 416);
      assert.equal(firstError(reply).code, 'BLOB_UPLOAD_INVALID');
      assert.equal(reply.headers.get('range'), '0-4');
      assert.equal(reply.headers.get('location'), location);
      const malformed = await http.request('PATCH', location, { body: 'f', headers: { 'content-range': 'five-six' } });
      assert.equal(firstError(malformed).code, 'BLOB_UPLOAD_INVALID');
      await http.request('DELETE', location);
    });

    it('refuses a chunk whose Content-Range and length disagree with SIZE_INVALID, keeping the session as it was', async () => {
      const location = await http.startUpload('chunks/app');
      await http.request('PATCH', location, { body: 'abcde', headers: { 'content-range': '0-4' } });
      const reply = await http.request('PATCH', location, { body: 'fgh', headers: { 'content-range': '5-9' } });
      assert.equal(reply.status, 400);
      assert.equal(firstError(reply).code, 'SIZE_INVALID');
      const streamed = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(Buffer.from('fgh'));
          controller.close();
        },
      });
      const short = await http.request('PATCH', location, { body: streamed, headers: { 'content-range': '5-9' } });
      assert.equal(firstError(short).code, 'SIZE_INVALID');
      assert.equal((await http.request('GET', location)).headers.get('range'), '0-4');
      const done = await http.request('PUT', `${location}?digest=${sha256('abcdefghij')}`, { body: 'fghij' });
      assert.equal(done.status, 201);
    });

    it('rolls a chunk back when its client hangs up half way, so it can be sent again', async () => {
      const content = randomBytes(120_000);
      const location = await http.startUpload('chunks/app');
      await http.request('PATCH', location, { body: content.subarray(0, 20_000) });
      await sendTruncated(registry, 'PATCH', location, 100_000, content.subarray(20_000, 70_000), http.basicAuth);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal((await http.request('GET', location)).headers.get('range'), '0-19999');
      await http.request('PATCH', location, { body: content.subarray(20_000), headers: { 'content-range': `20000-${content.length - 1}` } });
      const done = await http.request('PUT', `${location}?digest=${sha256(content)}`);
      assert.equal(done.status, 201);
      assert.deepEqual((await http.request('GET', `/v2/chunks/app/blobs/${sha256(content)}`)).body, content);
    });

    it('discards an upload whose closing digest is wrong: DIGEST_INVALID, no blob, no session, no temp file', async () => {
      const content = randomBytes(50_000);
      const location = await http.startUpload('chunks/app');
      await http.request('PATCH', location, { body: content });
      const wrong = sha256('not the content');
      const reply = await http.request('PUT', `${location}?digest=${wrong}`);
      assert.equal(reply.status, 400);
      assert.equal(firstError(reply).code, 'DIGEST_INVALID');
      assert.equal(firstError(await http.request('GET', location)).code, 'BLOB_UPLOAD_UNKNOWN');
      await assertNothingLeft(wrong, sha256(content));
    });

    it('keeps the session when the closing PUT has no digest', async () => {
      const location = await http.startUpload('chunks/app');
      await http.request('PATCH', location, { body: 'abc' });
      const reply = await http.request('PUT', location);
      assert.equal(reply.status, 400);
      assert.equal(firstError(reply).code, 'DIGEST_INVALID');
      assert.equal((await http.request('GET', location)).headers.get('range'), '0-2');
      await http.request('DELETE', location);
    });

    it('cancels a session with DELETE and then no longer knows it', async () => {
      const location = await http.startUpload('chunks/app');
      await http.request('PATCH', location, { body: 'abc' });
      assert.equal((await http.request('DELETE', location)).status, 204);
      for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) {
        const reply = await http.request(method, `${location}${method === 'PUT' ? `?digest=${sha256('abc')}` : ''}`);
        assert.equal(reply.status, 404, method);
        assert.equal(firstError(reply).code, 'BLOB_UPLOAD_UNKNOWN', method);
      }
      await assertNothingLeft();
    });

    it('answers BLOB_UPLOAD_UNKNOWN for unknown ids, hostile ids and sessions of another repository', async () => {
      const location = await http.startUpload('chunks/app');
      const id = location.split('/').pop()!;
      for (const path of [
        `/v2/chunks/app/blobs/uploads/${randomUUID()}`,
        '/v2/chunks/app/blobs/uploads/..%2F..%2Fetc',
        '/v2/chunks/app/blobs/uploads/not-a-uuid',
        `/v2/chunks/other/blobs/uploads/${id}`,
      ]) {
        const reply = await http.request('PATCH', path, { body: 'x' });
        assert.equal(reply.status, 404, path);
        assert.equal(firstError(reply).code, 'BLOB_UPLOAD_UNKNOWN', path);
      }
      await http.request('DELETE', location);
    });
  });

  describe('cross-repository mounts', () => {
    it('mounts a blob pushed to another repository: 201, one copy', async () => {
      const content = randomBytes(1000);
      const digest = sha256(content);
      await http.pushBlob('mount/source', content, digest);
      const before = (await registry.store.blobs.list()).length;
      const reply = await http.request('POST', `/v2/mount/target/blobs/uploads/?mount=${digest}&from=mount/source`);
      assert.equal(reply.status, 201);
      assert.equal(reply.headers.get('location'), `/v2/mount/target/blobs/${digest}`);
      assert.equal(reply.headers.get('docker-content-digest'), digest);
      assert.deepEqual((await http.request('GET', `/v2/mount/target/blobs/${digest}`)).body, content);
      assert.equal((await registry.store.blobs.list()).length, before);
    });

    it('starts a session instead when the blob is not here', async () => {
      const reply = await http.request('POST', `/v2/mount/target/blobs/uploads/?mount=${sha256('absent')}&from=mount/source`);
      assert.equal(reply.status, 202);
      assert.match(reply.headers.get('location') ?? '', /^\/v2\/mount\/target\/blobs\/uploads\/[0-9a-f-]{36}$/);
      await http.request('DELETE', reply.headers.get('location')!);
    });

    it('refuses a malformed mount digest with DIGEST_INVALID', async () => {
      const reply = await http.request('POST', '/v2/mount/target/blobs/uploads/?mount=sha256:nope&from=mount/source');
      assert.equal(firstError(reply).code, 'DIGEST_INVALID');
    });
  });

  describe('blob reads', () => {
    const content = Buffer.from('0123456789');
    const digest = sha256(content);
    before(async () => {
      await http.pushBlob('ranges/app', content, digest);
    });

    const satisfiable: Array<[string, string, string]> = [
      ['bytes=2-5', '2345', 'bytes 2-5/10'],
      ['bytes=7-', '789', 'bytes 7-9/10'],
      ['bytes=-3', '789', 'bytes 7-9/10'],
      ['bytes=5-100', '56789', 'bytes 5-9/10'],
      ['bytes=-20', '0123456789', 'bytes 0-9/10'],
      ['bytes=0-0', '0', 'bytes 0-0/10'],
    ];
    for (const [range, body, contentRange] of satisfiable) {
      it(`serves Range: ${range} as 206 with Content-Range ${contentRange}`, async () => {
        const reply = await http.request('GET', `/v2/ranges/app/blobs/${digest}`, { headers: { range } });
        assert.equal(reply.status, 206);
        assert.equal(reply.text, body);
        assert.equal(reply.headers.get('content-range'), contentRange);
        assert.equal(reply.headers.get('content-length'), String(body.length));
      });
    }

    for (const range of ['bytes=10-', 'bytes=5-2', 'bytes=abc', 'bytes=-0', 'bytes=-', 'bytes=99-100']) {
      it(`answers Range: ${range} with 416 and Content-Range bytes */10`, async () => {
        const reply = await http.request('GET', `/v2/ranges/app/blobs/${digest}`, { headers: { range } });
        assert.equal(reply.status, 416);
        assert.equal(reply.headers.get('content-range'), 'bytes */10');
        assert.ok(firstError(reply).code);
      });
    }

    for (const range of ['items=0-1', 'bytes=0-1,3-4']) {
      it(`ignores Range: ${range} and sends the whole blob`, async () => {
        const reply = await http.request('GET', `/v2/ranges/app/blobs/${digest}`, { headers: { range } });
        assert.equal(reply.status, 200);
        assert.equal(reply.text, '0123456789');
        assert.equal(reply.headers.get('accept-ranges'), 'bytes');
      });
    }

    it('serves a blob under any repository name, since blobs are shared', async () => {
      assert.equal((await http.request('GET', `/v2/some/other/repo/blobs/${digest}`)).text, '0123456789');
    });

    it('answers 404 BLOB_UNKNOWN for a blob it does not have, and 400 DIGEST_INVALID for a bad digest', async () => {
      const missing = await http.request('GET', `/v2/ranges/app/blobs/${sha256('missing')}`);
      assert.equal(missing.status, 404);
      assert.equal(firstError(missing).code, 'BLOB_UNKNOWN');
      const head = await http.request('HEAD', `/v2/ranges/app/blobs/${sha256('missing')}`);
      assert.equal(head.status, 404);
      const bad = await http.request('GET', '/v2/ranges/app/blobs/sha256:..%2F..%2Fetc%2Fpasswd');
      assert.equal(bad.status, 400);
      assert.equal(firstError(bad).code, 'DIGEST_INVALID');
    });
  });

  describe('abandoned sessions', () => {
    it('are removed by the GC hook after an hour untouched; fresh ones stay', async () => {
      const stale = await http.startUpload('gc/app');
      const fresh = await http.startUpload('gc/app');
      await http.request('PATCH', stale, { body: 'old bytes' });
      const staleId = stale.split('/').pop()!;
      const hourAgo = new Date(Date.now() - 61 * 60_000);
      await fs.utimes(path.join(registry.uploadsDir, staleId, 'data'), hourAgo, hourAgo);
      assert.deepEqual(await registry.uploads.collectAbandoned(), [staleId]);
      assert.equal(firstError(await http.request('GET', stale)).code, 'BLOB_UPLOAD_UNKNOWN');
      assert.equal((await http.request('GET', fresh)).status, 204);
      await http.request('DELETE', fresh);
    });
  });
});
