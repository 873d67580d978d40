import { createHash, Hash, randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobInfo, BlobStore, Digest, WritebackFile } from '@berth/layer-store';
import { RegistryError, RegistryErrorCode } from './registry.errors';

export interface UploadSession {
  id: string;
  repository: string;
  /** Bytes received so far. */
  size: number;
}

/** The running sha256 of a session's bytes, so finishing a 1 GiB upload does not read it again. */
interface HashState {
  hash: Hash;
  size: number;
}

interface SessionMeta {
  repository: string;
  startedAt: string;
}

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A session nobody has written to for this long is abandoned (the spec's clients retry from scratch). */
export const ABANDONED_UPLOAD_MS = 60 * 60_000;
/** How often starting a session also sweeps abandoned ones. */
const OPPORTUNISTIC_GC_INTERVAL_MS = 5 * 60_000;

/** Where the api keeps upload sessions under BERTH_DATA_DIR; the worker's GC needs the same path. */
export function registryUploadsDir(dataDir: string): string {
  return join(dataDir, 'registry', 'uploads');
}

/**
 * Blob upload sessions, each a directory `<uuid>/` holding `meta.json` and the bytes so far in
 * `data`. Bytes stream to disk and through a running hash, so memory stays flat whatever the
 * size; a finished upload is renamed into the blob store, never copied.
 */
export class UploadSessions {
  private readonly hashes = new Map<string, HashState>();
  /** Sessions a request is writing to: a second writer would interleave bytes. */
  private readonly busy = new Set<string>();
  private lastCollected = 0;

  constructor(
    private readonly dir: string,
    private readonly blobs: BlobStore,
    private readonly now: () => number = Date.now,
  ) {}

  async start(repository: string): Promise<UploadSession> {
    await this.collectOpportunistically();
    const id = randomUUID();
    await fs.mkdir(this.sessionDir(id), { recursive: true });
    const meta: SessionMeta = { repository, startedAt: new Date(this.now()).toISOString() };
    await fs.writeFile(join(this.sessionDir(id), 'meta.json'), JSON.stringify(meta), { flag: 'wx' });
    await fs.writeFile(this.dataPath(id), Buffer.alloc(0), { flag: 'wx' });
    this.hashes.set(id, { hash: createHash('sha256'), size: 0 });
    return { id, repository, size: 0 };
  }

  /** A session of `repository`; one started for another repository is unknown here. */
  async get(repository: string, id: string): Promise<UploadSession> {
    const meta = SESSION_ID.test(id) ? await readMeta(join(this.sessionDir(id), 'meta.json')) : null;
    const stats = meta === null ? null : await fs.stat(this.dataPath(id)).catch(() => null);
    if (meta === null || stats === null || meta.repository !== repository) throw unknownUpload(id);
    return { id, repository, size: stats.size };
  }

  /**
   * Appends a chunk. When the stream fails or its length is not `expectedLength`, the session
   * is rolled back to where it was, so the client can send the chunk again.
   */
  async append(session: UploadSession, source: Readable, expectedLength?: number): Promise<UploadSession> {
    return this.exclusively(session.id, async () => {
      const state = await this.hashState(session);
      const saved: HashState = { hash: state.hash.copy(), size: state.size };
      try {
        const written = await appendHashing(source, this.dataPath(session.id), state);
        if (expectedLength !== undefined && written !== expectedLength) throw sizeMismatch(expectedLength, written);
      } catch (error) {
        await this.rollBack(session.id, saved);
        throw error;
      }
      return { ...session, size: state.size };
    });
  }

  /** Ends the session: its bytes become the blob `expected`, or, when they are not, vanish. */
  async finish(session: UploadSession, expected: Digest): Promise<BlobInfo> {
    return this.exclusively(session.id, async () => {
      const state = await this.hashState(session);
      const actual: Digest = `sha256:${state.hash.copy().digest('hex')}`;
      if (actual !== expected) {
        await this.remove(session.id);
        throw new RegistryError(
          RegistryErrorCode.DigestInvalid,
          `the ${state.size} uploaded bytes hash to ${actual}, not ${expected}; the upload was discarded, push the blob again`,
          { detail: { expected, actual, size: state.size } },
        );
      }
      const info = await this.blobs.adoptFile(this.dataPath(session.id), actual);
      await this.remove(session.id);
      return info;
    });
  }

  async cancel(session: UploadSession): Promise<void> {
    await this.remove(session.id);
  }

  /** Removes sessions untouched for `maxAgeMs`; answers their ids. The GC hook for the worker too. */
  async collectAbandoned(maxAgeMs = ABANDONED_UPLOAD_MS): Promise<string[]> {
    this.lastCollected = this.now();
    const removed = await removeAbandonedUploads(this.dir, { maxAgeMs, now: this.now(), skip: this.busy });
    removed.forEach((id) => this.hashes.delete(id));
    return removed;
  }

  private async collectOpportunistically(): Promise<void> {
    if (this.now() - this.lastCollected < OPPORTUNISTIC_GC_INTERVAL_MS) return;
    await this.collectAbandoned();
  }

  private async exclusively<T>(id: string, section: () => Promise<T>): Promise<T> {
    if (this.busy.has(id)) {
      throw new RegistryError(RegistryErrorCode.BlobUploadInvalid, `upload ${id} is being written by another request; send chunks one at a time`, {
        detail: { uuid: id },
      });
    }
    this.busy.add(id);
    try {
      return await section();
    } finally {
      this.busy.delete(id);
    }
  }

  private async hashState(session: UploadSession): Promise<HashState> {
    const onDisk = await fs.stat(this.dataPath(session.id)).catch(() => null);
    if (onDisk === null) throw unknownUpload(session.id);
    if (onDisk.size !== session.size) {
      // Another request wrote between this one's checks and now: its Content-Range is stale.
      throw new RegistryError(RegistryErrorCode.BlobUploadInvalid, `upload ${session.id} changed while this request was checked; ask for its status`, {
        status: 416,
        detail: { uuid: session.id, received: onDisk.size },
      });
    }
    const known = this.hashes.get(session.id);
    if (known !== undefined && known.size === session.size) return known;
    // A session from before a restart: hash what is on disk once, then carry on streaming.
    const state: HashState = { hash: createHash('sha256'), size: 0 };
    await pipeline(createReadStream(this.dataPath(session.id)), hashingSink(state));
    this.hashes.set(session.id, state);
    return state;
  }

  private async rollBack(id: string, saved: HashState): Promise<void> {
    try {
      await fs.truncate(this.dataPath(id), saved.size);
      this.hashes.set(id, saved);
    } catch {
      // Cancelled while the chunk streamed: nothing left to roll back.
      this.hashes.delete(id);
    }
  }

  private async remove(id: string): Promise<void> {
    this.hashes.delete(id);
    await fs.rm(this.sessionDir(id), { recursive: true, force: true });
  }

  private sessionDir(id: string): string {
    return join(this.dir, id);
  }

  private dataPath(id: string): string {
    return join(this.dir, id, 'data');
  }
}

/**
 * Deletes upload sessions under `dir` whose bytes have not changed for `maxAgeMs`. Works from
 * any process (the worker's periodic GC) since it needs nothing but the directory.
 */
export async function removeAbandonedUploads(
  dir: string,
  options: { maxAgeMs?: number; now?: number; skip?: ReadonlySet<string> } = {},
): Promise<string[]> {
  const cutoff = (options.now ?? Date.now()) - (options.maxAgeMs ?? ABANDONED_UPLOAD_MS);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (options.skip?.has(name)) continue;
    const path = join(dir, name);
    const stats = (await fs.stat(join(path, 'data')).catch(() => null)) ?? (await fs.lstat(path).catch(() => null));
    if (stats === null || stats.mtimeMs > cutoff) continue;
    await fs.rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Streams `source` onto the end of `path` through the running hash; answers the bytes written. */
async function appendHashing(source: Readable, path: string, state: HashState): Promise<number> {
  const before = state.size;
  // Not synced here: adoptFile syncs the whole file once, and by then little of it is still unwritten.
  const output = new WritebackFile(path, { flags: 'r+', start: before, syncOnFinish: false });
  try {
    await pipeline(source, hashing(state), output);
  } catch (error) {
    // Writes still in flight would land after the rollback's truncate.
    if (!output.closed) await new Promise<void>((resolve) => output.once('close', () => resolve()));
    throw error;
  }
  return state.size - before;
}

function hashing(state: HashState): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      state.hash.update(chunk);
      state.size += chunk.length;
      callback(null, chunk);
    },
  });
}

function hashingSink(state: HashState): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      state.hash.update(chunk);
      state.size += chunk.length;
      callback();
    },
  });
}

async function readMeta(path: string): Promise<SessionMeta | null> {
  try {
    const meta = JSON.parse(await fs.readFile(path, 'utf8')) as Partial<SessionMeta>;
    return typeof meta.repository === 'string' ? (meta as SessionMeta) : null;
  } catch {
    return null;
  }
}

function unknownUpload(id: string): RegistryError {
  return new RegistryError(
    RegistryErrorCode.BlobUploadUnknown,
    `no upload session ${id.slice(0, 100)} in this repository (finished, cancelled or abandoned for an hour); start a new one`,
    { detail: { uuid: id.slice(0, 100) } },
  );
}

function sizeMismatch(expected: number, received: number): RegistryError {
  return new RegistryError(
    RegistryErrorCode.SizeInvalid,
    `the chunk announced ${expected} bytes but ${received} arrived; it was discarded, send it again`,
    { detail: { expected, received } },
  );
}
