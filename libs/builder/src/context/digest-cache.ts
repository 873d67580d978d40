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

/** Whole-second granularity of some file systems: a file changed this close to the last save is hashed again (git's "racy" rule). */
const RACY_WINDOW_NS = 2_000_000_000n;

/**
 * Content digests of a build context's files, remembered between builds by inode, size, mtime
 * and ctime, so a rebuild does not read every file again. A file whose stat differs, or that
 * changed within two seconds of the last save, is hashed again.
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
    const racy = stats.mtimeNs + RACY_WINDOW_NS >= this.savedAtNs || stats.ctimeNs + RACY_WINDOW_NS >= this.savedAtNs;
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
