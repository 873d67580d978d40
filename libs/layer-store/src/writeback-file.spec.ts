import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { WRITEBACK_BYTES, WritebackFile } from './writeback-file';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'berth-writeback-'));
}

/** `total` bytes in chunks of `size`, as a socket would deliver them. */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

describe('WritebackFile', () => {
  it('writes every byte of a stream several flush intervals long, in order', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'blob');
    const bytes = randomBytes(WRITEBACK_BYTES * 3 + 4097);
    const sink = new WritebackFile(file, { flags: 'wx', syncOnFinish: true });
    await pipeline(chunked(bytes, 64 * 1024 + 3), sink);
    assert.equal(sink.bytesWritten, bytes.length);
    assert.ok((await fs.readFile(file)).equals(bytes));
    await fs.rm(dir, { recursive: true });
  });

  it('appends into an existing file at an offset, leaving what came before', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'upload');
    await fs.writeFile(file, 'first chunk|');
    const sink = new WritebackFile(file, { flags: 'r+', start: 12, syncOnFinish: false });
    await pipeline(Readable.from([Buffer.from('second'), Buffer.from(' chunk')]), sink);
    assert.equal(await fs.readFile(file, 'utf8'), 'first chunk|second chunk');
    await fs.rm(dir, { recursive: true });
  });

  it('refuses to overwrite a file opened as new, and the pipeline fails with the reason', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'taken');
    await fs.writeFile(file, 'keep me');
    await assert.rejects(pipeline(Readable.from([Buffer.from('x')]), new WritebackFile(file, { flags: 'wx', syncOnFinish: true })), { code: 'EEXIST' });
    assert.equal(await fs.readFile(file, 'utf8'), 'keep me');
    await fs.rm(dir, { recursive: true });
  });

  it('closes its file only after the write under way, when the source fails mid-stream', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'cut');
    const sink = new WritebackFile(file, { flags: 'wx', syncOnFinish: true });
    async function* failing(): AsyncGenerator<Buffer> {
      yield randomBytes(WRITEBACK_BYTES + 1);
      throw new Error('client went away');
    }
    await assert.rejects(pipeline(failing(), sink), /client went away/);
    await new Promise((resolve) => (sink.closed ? resolve(undefined) : sink.once('close', resolve)));
    // Whatever was written is all there is: truncating now is not undone by a late write.
    await fs.truncate(file, 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await fs.stat(file)).size, 0);
    await fs.rm(dir, { recursive: true });
  });
});
