import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { Digest } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { openTempStore, readAll, sha256Of } from './spec-helpers';

function hasCode(code: LayerStoreErrorCode) {
  return (error: unknown): boolean => error instanceof LayerStoreError && error.code === code;
}

describe('BlobStore', () => {
  it('lays out an OCI image layout', async () => {
    const store = await openTempStore();
    assert.deepEqual(JSON.parse(await fs.readFile(store.layout.ociLayoutFile, 'utf8')), { imageLayoutVersion: '1.0.0' });
    assert.deepEqual(JSON.parse(await fs.readFile(store.layout.indexFile, 'utf8')).manifests, []);
  });

  it('stores content under its sha256 and reads it back', async () => {
    const store = await openTempStore();
    const content = Buffer.from('{"hello":"world"}');
    const info = await store.blobs.writeBlob(content);
    assert.deepEqual(info, { digest: sha256Of(content), size: content.length });
    assert.equal(await store.blobs.has(info.digest), true);
    assert.equal((await store.blobs.stat(info.digest)).size, content.length);
    assert.deepEqual(await readAll(await store.blobs.openRead(info.digest)), content);
    assert.deepEqual(await store.blobs.readJson(info.digest), { hello: 'world' });
    assert.equal(await fs.readFile(join(store.layout.blobsDir, info.digest.slice(7)), 'utf8'), content.toString());
  });

  it('accepts a stream with the right expected digest', async () => {
    const store = await openTempStore();
    const content = Buffer.alloc(300_000, 7);
    const info = await store.blobs.writeBlob(Readable.from([content.subarray(0, 1000), content.subarray(1000)]), sha256Of(content));
    assert.equal(info.digest, sha256Of(content));
  });

  it('refuses a digest mismatch and leaves neither blob nor temp file', async () => {
    const store = await openTempStore();
    const expected = sha256Of('what the client announced');
    await assert.rejects(store.blobs.writeBlob(Buffer.from('what arrived'), expected), hasCode(LayerStoreErrorCode.DigestMismatch));
    assert.equal(await store.blobs.has(expected), false);
    assert.equal(await store.blobs.has(sha256Of('what arrived')), false);
    assert.deepEqual(await fs.readdir(store.layout.blobsDir), []);
    assert.deepEqual(await fs.readdir(store.layout.tmpDir), []);
  });

  it('leaves nothing behind when the source fails midway', async () => {
    const store = await openTempStore();
    async function* failing() {
      yield Buffer.alloc(100_000, 1);
      throw new Error('connection reset');
    }
    await assert.rejects(store.blobs.writeBlob(failing()), /connection reset/);
    assert.deepEqual(await fs.readdir(store.layout.blobsDir), []);
    assert.deepEqual(await fs.readdir(store.layout.tmpDir), []);
  });

  it('lets concurrent writers of the same blob all succeed', async () => {
    const store = await openTempStore();
    const content = Buffer.alloc(2 * 1024 * 1024, 'concurrent');
    const writers = Array.from({ length: 16 }, () => store.blobs.writeBlob(Readable.from([content]), sha256Of(content)));
    const results = await Promise.all(writers);
    assert.ok(results.every((result) => result.digest === sha256Of(content)));
    assert.deepEqual(await readAll(await store.blobs.openRead(sha256Of(content))), content);
    assert.deepEqual(await fs.readdir(store.layout.tmpDir), []);
  });

  it('reads inclusive byte ranges and refuses ranges outside the blob', async () => {
    const store = await openTempStore();
    const { digest } = await store.blobs.writeBlob(Buffer.from('0123456789'));
    assert.equal((await readAll(await store.blobs.openRead(digest, { start: 2, end: 5 }))).toString(), '2345');
    assert.equal((await readAll(await store.blobs.openRead(digest, { start: 7 }))).toString(), '789');
    await assert.rejects(store.blobs.openRead(digest, { start: 5, end: 10 }), hasCode(LayerStoreErrorCode.InvalidRange));
    await assert.rejects(store.blobs.openRead(digest, { start: -1 }), hasCode(LayerStoreErrorCode.InvalidRange));
  });

  it('adopts a file hashed by its writer by renaming it, and restarts its GC grace period', async () => {
    const store = await openTempStore();
    const content = Buffer.from('an uploaded layer');
    const path = join(store.layout.root, 'upload-data');
    await fs.writeFile(path, content);
    const old = new Date(Date.now() - 3_600_000);
    await fs.utimes(path, old, old);
    const info = await store.blobs.adoptFile(path, sha256Of(content));
    assert.deepEqual(info, { digest: sha256Of(content), size: content.length });
    assert.deepEqual(await readAll(await store.blobs.openRead(info.digest)), content);
    await assert.rejects(fs.stat(path), { code: 'ENOENT' });
    const { mtimeMs } = await fs.stat(store.layout.blobPath(info.digest));
    assert.ok(Date.now() - mtimeMs < 60_000, 'the adopted blob counts as new for GC');
  });

  it('says a missing blob is missing', async () => {
    const store = await openTempStore();
    const missing = sha256Of('never stored');
    await assert.rejects(store.blobs.openRead(missing), hasCode(LayerStoreErrorCode.BlobNotFound));
    await assert.rejects(store.blobs.stat(missing), hasCode(LayerStoreErrorCode.BlobNotFound));
    assert.equal(await store.blobs.has(missing), false);
  });

  it('validates digests before they reach a path', async () => {
    const store = await openTempStore();
    const hostile = 'sha256:../../../../etc/passwd' as Digest;
    await assert.rejects(store.blobs.has(hostile), hasCode(LayerStoreErrorCode.InvalidDigest));
    await assert.rejects(store.blobs.openRead(hostile), hasCode(LayerStoreErrorCode.InvalidDigest));
    await assert.rejects(store.blobs.writeBlob(Buffer.from('x'), hostile), hasCode(LayerStoreErrorCode.InvalidDigest));
  });

  it('detects a blob corrupted on disk when reading it whole', async () => {
    const store = await openTempStore();
    const { digest } = await store.blobs.writeBlob(Buffer.from('{"a":1}'));
    await fs.writeFile(store.layout.blobPath(digest), '{"a":2}');
    await assert.rejects(store.blobs.readJson(digest), hasCode(LayerStoreErrorCode.DigestMismatch));
  });

  it('streams a large blob with flat memory', async () => {
    const store = await openTempStore();
    const chunk = Buffer.alloc(1024 * 1024, 0xab);
    const megabytes = 256;
    async function* generate() {
      for (let index = 0; index < megabytes; index++) yield chunk;
    }
    const before = process.memoryUsage().rss;
    const info = await store.blobs.writeBlob(generate());
    const grown = process.memoryUsage().rss - before;
    assert.equal(info.size, megabytes * chunk.length);
    assert.ok(grown < 64 * 1024 * 1024, `rss grew by ${Math.round(grown / 1e6)} MB writing ${megabytes} MiB`);
    await store.blobs.remove(info.digest);
  });
});
