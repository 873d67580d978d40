import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

interface CachedDigest {
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  digest: string;
}

/**
 * Git's "racy" rule: a file changed this close to the last save may have changed again within
 * the same timestamp tick, so it is hashed again. File systems with whole-second timestamps
 * need two seconds; with nanosecond timestamps the kernel's coarse clock (a jiffy, at most
 * 10 ms) plus clock reading slack is enough.
 */
const RACY_WINDOW_COARSE_NS = 2_000_000_000n;
const RACY_WINDOW_FINE_NS = 50_000_000n;

/**
 * Content digests of a build context's files, remembered between builds by inode, size, mtime
 * and ctime, so a rebuild does not read every file again. A file whose stat differs, or that
 * changed just before the last save, is hashed again.
 */
export class DigestCache {
  private entries = new Map<string, CachedDigest>();
  private savedAtNs = 0n;
  private dirty = false;

  constructor(private readonly file: string) {}

  async load(): Promise<this> {
    try {
      const saved = JSON.parse(await fs.readFile(this.file, 'utf8')) as { savedAtNs: string; entries: Record<string, CachedDigest> };
      this.entries = new Map(Object.entries(saved.entries));
      this.savedAtNs = BigInt(saved.savedAtNs);
    } catch {
      this.entries = new Map();
    }
    return this;
  }

  /** `known`: the file's stats when the caller already has them (saves a stat per file). */
  async digest(absolutePath: string, compute: () => Promise<string>, known?: BigIntStats): Promise<string> {
    const stats = known ?? (await fs.stat(absolutePath, { bigint: true }));
    const key = { ino: `${stats.dev}:${stats.ino}`, size: String(stats.size), mtimeNs: String(stats.mtimeNs), ctimeNs: String(stats.ctimeNs) };
    const remembered = this.entries.get(absolutePath);
    const window = stats.mtimeNs % 1_000_000_000n === 0n ? RACY_WINDOW_COARSE_NS : RACY_WINDOW_FINE_NS;
    const racy = stats.mtimeNs + window >= this.savedAtNs || stats.ctimeNs + window >= this.savedAtNs;
    if (remembered && !racy && remembered.ino === key.ino && remembered.size === key.size && remembered.mtimeNs === key.mtimeNs && remembered.ctimeNs === key.ctimeNs) {
      return remembered.digest;
    }
    const digest = await compute();
    this.entries.set(absolutePath, { ...key, digest });
    this.dirty = true;
    return digest;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const savedAtNs = BigInt(Date.now()) * 1_000_000n;
    const temp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(temp, JSON.stringify({ savedAtNs: String(savedAtNs), entries: Object.fromEntries(this.entries) }));
    await fs.rename(temp, this.file);
    this.dirty = false;
  }
}
