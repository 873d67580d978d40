import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Digest, digestFromHex, parseDigest, sha256Digest } from './digest';
import { isNodeError, LayerStoreError, LayerStoreErrorCode } from './errors';
import { fsyncDir, listDirIfExists, removeQuietly, tempPath } from './fs-atomic';
import { StoreLayout } from './layout';
import { WritebackFile } from './writeback-file';

export type BlobSource = Buffer | Readable | AsyncIterable<Uint8Array>;

export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** An open blob: bytes [start, end) may be read until it is closed, whatever GC does meanwhile. */
export interface BlobSpan {
  start: number;
  /** Exclusive. */
  end: number;
  /** Reads up to `length` bytes at `position` into the start of `buffer`; 0 at the end of the file. */
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

/** Inclusive byte range, as in HTTP Range and fs.createReadStream. */
export interface ByteRange {
  start: number;
  end?: number;
}

/** Manifests and configs are read whole; anything bigger than this is not one. */
const MAX_JSON_BLOB_BYTES = 16 * 1024 * 1024;

/** sha256 content-addressed blobs in `blobs/sha256/<hex>`; a blob appears under its digest complete or not at all. */
export class BlobStore {
  constructor(private readonly layout: StoreLayout) {}

  async writeBlob(source: BlobSource, expectedDigest?: Digest): Promise<BlobInfo> {
    const expected = expectedDigest === undefined ? undefined : parseDigest(expectedDigest, 'expected digest');
    if (Buffer.isBuffer(source)) {
      const present = await this.presentAs(source, expected);
      if (present) return present;
    }
    const tmp = tempPath(this.layout.tmpDir, 'blob');
    try {
      const written = await streamToFileHashing(source, tmp);
      if (expected !== undefined && written.digest !== expected) throw mismatch(expected, written.digest);
      await fs.rename(tmp, this.layout.blobPath(written.digest));
      await fsyncDir(this.layout.blobsDir);
      return written;
    } catch (error) {
      await removeQuietly(tmp);
      throw error;
    }
  }

  /**
   * A small blob (config, manifest) that is already stored, e.g. from a rebuild with nothing
   * changed: touched for the GC's grace period, as a rewrite would, without a write and two fsyncs.
   */
  private async presentAs(bytes: Buffer, expected: Digest | undefined): Promise<BlobInfo | null> {
    const digest = sha256Digest(bytes);
    if (expected !== undefined && digest !== expected) throw mismatch(expected, digest);
    if (!(await this.has(digest))) return null;
    await this.touch(digest);
    return { digest, size: bytes.length };
  }

  /**
   * Moves in a file whose sha256 the caller computed while writing it (a registry upload
   * session), so a large blob is renamed instead of copied and hashed a second time. The file
   * must not change afterwards; across file systems it is copied and verified after all.
   */
  async adoptFile(path: string, digest: Digest): Promise<BlobInfo> {
    const target = this.layout.blobPath(parseDigest(digest, 'adopted digest'));
    const handle = await fs.open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(path, target);
    } catch (error) {
      if (!isNodeError(error, 'EXDEV')) throw error;
      const copied = await this.writeBlob(createReadStream(path), digest);
      await removeQuietly(path);
      return copied;
    }
    await this.touch(digest);
    await fsyncDir(this.layout.blobsDir);
    const { size } = await this.stat(digest);
    return { digest, size };
  }

  /**
   * Restarts a blob's GC grace period: a blob that a registry client was just told is present
   * (a mount, an adopted upload) is referenced by a manifest moments later.
   */
  async touch(digest: Digest): Promise<void> {
    const now = new Date();
    await fs.utimes(this.layout.blobPath(parseDigest(digest)), now, now);
  }

  async has(digest: Digest): Promise<boolean> {
    return (await this.statIfExists(digest)) !== null;
  }

  async stat(digest: Digest): Promise<BlobInfo> {
    const info = await this.statIfExists(digest);
    if (info === null) throw blobNotFound(digest);
    return info;
  }

  async statIfExists(digest: Digest): Promise<(BlobInfo & { mtimeMs: number }) | null> {
    try {
      const stats = await fs.stat(this.layout.blobPath(digest));
      return { digest, size: stats.size, mtimeMs: stats.mtimeMs };
    } catch (error) {
      if (isNodeError(error, 'ENOENT')) return null;
      throw error;
    }
  }

  /** Opens before returning, so a blob collected afterwards still reads to the end. */
  async openRead(digest: Digest, range?: ByteRange): Promise<Readable> {
    const handle = await this.openHandle(digest);
    try {
      const { size } = await handle.stat();
      const bounds = range === undefined ? {} : checkRange(range, size, digest);
      // 1 MiB reads: callers stream whole layers (unpacking, docker-archive), and 64 KiB chunks cost twice the CPU.
      return handle.createReadStream({ ...bounds, autoClose: true, highWaterMark: 1024 * 1024 });
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Opens a blob (or one range of it) for a sender that reads into buffers of its own, such as
   * a registry pull reusing two buffers for a whole layer instead of allocating one per read.
   */
  async openSpan(digest: Digest, range?: ByteRange): Promise<BlobSpan> {
    const handle = await this.openHandle(digest);
    try {
      const { size } = await handle.stat();
      const bounds = range === undefined ? { start: 0, end: size - 1 } : checkRange(range, size, digest);
      return {
        start: bounds.start,
        end: bounds.end + 1,
        read: async (buffer, length, position) => (await handle.read(buffer, 0, length, position)).bytesRead,
        close: () => handle.close(),
      };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Reads a small blob whole and re-verifies its digest, since manifests decide what else is trusted. */
  async readBytes(digest: Digest, maxBytes = MAX_JSON_BLOB_BYTES): Promise<Buffer> {
    const handle = await this.openHandle(digest);
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) {
        throw new LayerStoreError(
          LayerStoreErrorCode.InvalidManifest,
          `blob ${digest} is ${size} bytes, more than the ${maxBytes} bytes allowed for a JSON document`,
          { digest, size },
        );
      }
      const bytes = await handle.readFile();
      const actual = sha256Digest(bytes);
      if (actual !== digest) throw corrupt(digest, actual);
      return bytes;
    } finally {
      await handle.close();
    }
  }

  /** The first bytes of a blob (fewer if it is shorter), e.g. to sniff compression or JSON. */
  async readPrefix(digest: Digest, length: number): Promise<Buffer> {
    const handle = await this.openHandle(digest);
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async readJson<T = unknown>(digest: Digest): Promise<T> {
    const bytes = await this.readBytes(digest);
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch {
      throw new LayerStoreError(LayerStoreErrorCode.InvalidManifest, `blob ${digest} is not valid JSON`, { digest });
    }
  }

  async remove(digest: Digest): Promise<void> {
    await fs.rm(this.layout.blobPath(digest), { force: true });
  }

  async list(): Promise<Digest[]> {
    const names = await listDirIfExists(this.layout.blobsDir);
    return names.map(digestFromHex).filter((digest): digest is Digest => digest !== null);
  }

  private async openHandle(digest: Digest): Promise<fs.FileHandle> {
    try {
      return await fs.open(this.layout.blobPath(digest), 'r');
    } catch (error) {
      if (isNodeError(error, 'ENOENT')) throw blobNotFound(digest);
      throw error;
    }
  }
}

async function streamToFileHashing(source: BlobSource, path: string): Promise<BlobInfo> {
  const hash = createHash('sha256');
  let size = 0;
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  await pipeline(
    input,
    async function* hashing(chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    new WritebackFile(path, { flags: 'wx', mode: 0o644, syncOnFinish: true }),
  );
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

function checkRange(range: ByteRange, size: number, digest: Digest): { start: number; end: number } {
  const end = range.end ?? size - 1;
  const valid = Number.isSafeInteger(range.start) && Number.isSafeInteger(end) && range.start >= 0;
  if (!valid || range.start > end || end >= size) {
    throw new LayerStoreError(
      LayerStoreErrorCode.InvalidRange,
      `range ${range.start}-${range.end ?? ''} is outside blob ${digest} of ${size} bytes`,
      { digest, size, start: range.start, end: range.end },
    );
  }
  return { start: range.start, end };
}

function mismatch(expected: Digest, actual: Digest): LayerStoreError {
  return new LayerStoreError(
    LayerStoreErrorCode.DigestMismatch,
    `content hashes to ${actual}, not the expected ${expected}; nothing was stored. ` +
      'The upload was truncated or altered: send it again',
    { expected, actual },
  );
}

function corrupt(digest: Digest, actual: Digest): LayerStoreError {
  return new LayerStoreError(
    LayerStoreErrorCode.DigestMismatch,
    `blob ${digest} on disk hashes to ${actual}: the store is corrupt; delete the blob and pull or build it again`,
    { expected: digest, actual },
  );
}

export function blobNotFound(digest: Digest): LayerStoreError {
  return new LayerStoreError(
    LayerStoreErrorCode.BlobNotFound,
    `blob ${digest} is not in the store; build or pull the image that contains it`,
    { digest },
  );
}
