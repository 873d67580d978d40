import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { Digest, LayerStore } from '@berth/layer-store';
import { RegistryError, RegistryErrorCode } from './registry.errors';
import { ABANDONED_UPLOAD_MS, UploadSessions } from './upload-sessions';

const root = mkdtempSync(join(tmpdir(), 'registry-uploads-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
async function setUp(now: () => number = Date.now): Promise<{ store: LayerStore; uploads: UploadSessions; dir: string }> {
  const base = join(root, String(counter++));
  const store = await LayerStore.open({ root: join(base, 'layers') });
  const dir = join(base, 'uploads');
  return { store, uploads: new UploadSessions(dir, store.blobs, now), dir };
}

function digestOf(content: string): Digest {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

function hasCode(code: RegistryErrorCode) {
  return (error: unknown) => error instanceof RegistryError && error.code === code;
}

describe('UploadSessions', () => {
  it('appends chunks and turns them into a blob under the verified digest', async () => {
    const { store, uploads, dir } = await setUp();
    let session = await uploads.start('app');
    session = await uploads.append(session, Readable.from([Buffer.from('hello ')]));
    session = await uploads.append(await uploads.get('app', session.id), Readable.from([Buffer.from('world')]), 5);
    assert.equal(session.size, 11);
    const info = await uploads.finish(session, digestOf('hello world'));
    assert.deepEqual(info, { digest: digestOf('hello world'), size: 11 });
    assert.equal((await store.blobs.readBytes(info.digest)).toString(), 'hello world');
    assert.deepEqual(await fs.readdir(dir), []);
  });

  it('rolls a failed or short chunk back so it can be resent', async () => {
    const { uploads } = await setUp();
    let session = await uploads.start('app');
    session = await uploads.append(session, Readable.from([Buffer.from('abc')]));
    async function* failing() {
      yield Buffer.from('garbage');
      throw new Error('connection reset');
    }
    await assert.rejects(uploads.append(session, Readable.from(failing())), /connection reset/);
    await assert.rejects(uploads.append(session, Readable.from([Buffer.from('de')]), 3), hasCode(RegistryErrorCode.SizeInvalid));
    session = await uploads.get('app', session.id);
    assert.equal(session.size, 3);
    session = await uploads.append(session, Readable.from([Buffer.from('def')]), 3);
    assert.equal((await uploads.finish(session, digestOf('abcdef'))).size, 6);
  });

  it('discards the session when the digest does not match', async () => {
    const { store, uploads, dir } = await setUp();
    const session = await uploads.append(await uploads.start('app'), Readable.from([Buffer.from('bytes')]));
    await assert.rejects(uploads.finish(session, digestOf('other')), hasCode(RegistryErrorCode.DigestInvalid));
    assert.deepEqual(await fs.readdir(dir), []);
    assert.deepEqual(await store.blobs.list(), []);
    await assert.rejects(uploads.get('app', session.id), hasCode(RegistryErrorCode.BlobUploadUnknown));
  });

  it('continues a session started before a restart, hashing what is on disk once', async () => {
    const { store, uploads, dir } = await setUp();
    const session = await uploads.append(await uploads.start('app'), Readable.from([Buffer.from('before ')]));
    const restarted = new UploadSessions(dir, store.blobs);
    const resumed = await restarted.append(await restarted.get('app', session.id), Readable.from([Buffer.from('after')]));
    assert.equal((await restarted.finish(resumed, digestOf('before after'))).size, 12);
  });

  it('knows a session only under its repository and only by a uuid', async () => {
    const { uploads } = await setUp();
    const session = await uploads.start('app');
    await assert.rejects(uploads.get('other', session.id), hasCode(RegistryErrorCode.BlobUploadUnknown));
    await assert.rejects(uploads.get('app', '../../etc'), hasCode(RegistryErrorCode.BlobUploadUnknown));
  });

  it('refuses a second writer while a chunk is streaming', async () => {
    const { uploads } = await setUp();
    const session = await uploads.start('app');
    const slow = new Readable({ read() {} });
    const first = uploads.append(session, slow);
    await assert.rejects(uploads.append(session, Readable.from([Buffer.from('x')])), hasCode(RegistryErrorCode.BlobUploadInvalid));
    slow.push(Buffer.from('ok'));
    slow.push(null);
    assert.equal((await first).size, 2);
  });

  it('removes sessions untouched for an hour, also when a new session starts', async () => {
    let now = Date.now();
    const { uploads, dir } = await setUp(() => now);
    const old = await uploads.start('app');
    const hourAgo = new Date(now - ABANDONED_UPLOAD_MS - 1000);
    await fs.utimes(join(dir, old.id, 'data'), hourAgo, hourAgo);
    const fresh = await uploads.start('app');
    // The first start already swept (nothing was old then); the next sweep waits a few minutes.
    assert.deepEqual((await fs.readdir(dir)).sort(), [old.id, fresh.id].sort());
    now += 10 * 60_000;
    await fs.utimes(join(dir, fresh.id, 'data'), new Date(now), new Date(now));
    const third = await uploads.start('app');
    assert.deepEqual((await fs.readdir(dir)).sort(), [fresh.id, third.id].sort());
    await assert.rejects(uploads.get('app', old.id), hasCode(RegistryErrorCode.BlobUploadUnknown));
  });
});
