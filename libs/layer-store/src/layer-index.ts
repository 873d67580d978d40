import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from './canonical-json';
import { Digest, digestFromHex, digestHex, isDigest } from './digest';
import { readFileIfExists, listDirIfExists, writeFileAtomic } from './fs-atomic';
import { StoreLayout } from './layout';

/** A layer blob as stored (gzip) next to the DiffID of its uncompressed tar. */
export interface LayerRecord {
  diffId: Digest;
  digest: Digest;
  size: number;
}

/**
 * Persists DiffID <-> compressed digest in both directions, one small file per layer and direction,
 * so the builder finds a layer by either. A DiffID may have several gzips; the latest wins.
 */
export class LayerIndex {
  constructor(private readonly layout: StoreLayout) {}

  async record(layer: LayerRecord): Promise<void> {
    const bytes = canonicalJson(layer);
    await writeFileAtomic(this.byDigestPath(layer.digest), bytes, this.layout.tmpDir);
    await writeFileAtomic(this.byDiffIdPath(layer.diffId), bytes, this.layout.tmpDir);
  }

  async findByDigest(digest: Digest): Promise<LayerRecord | null> {
    return parseRecord(await readFileIfExists(this.byDigestPath(digest)));
  }

  async findByDiffId(diffId: Digest): Promise<LayerRecord | null> {
    return parseRecord(await readFileIfExists(this.byDiffIdPath(diffId)));
  }

  /** Drops the mapping for a collected blob, and the DiffID's entry if it pointed at that blob. */
  async forgetDigest(digest: Digest): Promise<void> {
    const record = await this.findByDigest(digest);
    await fs.rm(this.byDigestPath(digest), { force: true });
    if (record === null) return;
    const current = await this.findByDiffId(record.diffId);
    if (current?.digest === digest) await fs.rm(this.byDiffIdPath(record.diffId), { force: true });
  }

  async listDigests(): Promise<Digest[]> {
    const names = await listDirIfExists(this.layout.layersByDigestDir);
    return names.map(digestFromHex).filter((digest): digest is Digest => digest !== null);
  }

  private byDigestPath(digest: Digest): string {
    return join(this.layout.layersByDigestDir, digestHex(digest));
  }

  private byDiffIdPath(diffId: Digest): string {
    return join(this.layout.layersByDiffIdDir, digestHex(diffId));
  }
}

function parseRecord(bytes: Buffer | null): LayerRecord | null {
  if (bytes === null) return null;
  try {
    const record = JSON.parse(bytes.toString('utf8')) as Partial<LayerRecord>;
    const valid = isDigest(record.diffId) && isDigest(record.digest) && Number.isSafeInteger(record.size);
    return valid ? (record as LayerRecord) : null;
  } catch {
    return null; // a damaged mapping is as good as none: the layer can be hashed again
  }
}
