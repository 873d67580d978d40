import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from './canonical-json';
import { Digest, isDigest, parseDigest } from './digest';
import { listDirIfExists, readFileIfExists, writeFileAtomic } from './fs-atomic';
import { StoreLayout } from './layout';
import { Mutex, ProcessProbe, systemProcessProbe } from './locks';

/** Keeps blobs, manifests (and what they reference) and snapshots (by ChainID) from being collected. */
export interface Lease {
  readonly id: string;
  /** Extends the lease, e.g. with each layer a running build has just written. */
  add(digests: readonly Digest[]): Promise<void>;
  /** Idempotent. */
  release(): Promise<void>;
}

interface LeaseFile {
  pid: number;
  digests: Digest[];
}

export interface LiveLeases {
  digests: Set<Digest>;
  /** Lease files whose process is gone; GC removes them. */
  staleFiles: string[];
}

/** Leases are files naming their pid, so a GC in another process honours them and ignores those of dead processes. */
export class LeaseRegistry {
  constructor(
    private readonly layout: StoreLayout,
    private readonly probe: ProcessProbe = systemProcessProbe,
  ) {}

  async acquire(digests: readonly Digest[]): Promise<Lease> {
    const id = `${process.pid}-${randomBytes(8).toString('hex')}`;
    const path = join(this.layout.leasesDir, `${id}.json`);
    const held = new Set(digests.map((digest) => parseDigest(digest, 'leased digest')));
    const mutex = new Mutex();
    let released = false;
    const write = (): Promise<void> =>
      writeFileAtomic(path, canonicalJson({ pid: process.pid, digests: [...held].sort() }), this.layout.tmpDir);
    await write();
    return {
      id,
      add: (more) =>
        mutex.run(async () => {
          more.forEach((digest) => held.add(parseDigest(digest, 'leased digest')));
          if (!released) await write();
        }),
      release: () =>
        mutex.run(async () => {
          released = true;
          await fs.rm(path, { force: true });
        }),
    };
  }

  async live(): Promise<LiveLeases> {
    const result: LiveLeases = { digests: new Set(), staleFiles: [] };
    for (const name of await listDirIfExists(this.layout.leasesDir)) {
      if (!name.endsWith('.json')) continue;
      const path = join(this.layout.leasesDir, name);
      const lease = parseLease(await readFileIfExists(path));
      if (lease === null) continue; // released while we listed, or being written
      if (!this.probe.isAlive(lease.pid)) {
        result.staleFiles.push(path);
        continue;
      }
      lease.digests.forEach((digest) => result.digests.add(digest));
    }
    return result;
  }
}

function parseLease(bytes: Buffer | null): LeaseFile | null {
  if (bytes === null) return null;
  try {
    const lease = JSON.parse(bytes.toString('utf8')) as Partial<LeaseFile>;
    if (!Number.isInteger(lease.pid) || !Array.isArray(lease.digests)) return null;
    return { pid: lease.pid as number, digests: lease.digests.filter(isDigest) };
  } catch {
    return null;
  }
}
