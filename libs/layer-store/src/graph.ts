import { BlobStore } from './blob-store';
import { Digest, chainIdsOf } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { parseImageConfig } from './image-config';
import { tryParseManifest } from './manifest';

export interface ReachableSet {
  /** Every digest reached, with its size, or null when the blob is not in the store (e.g. an unpulled platform). */
  blobs: Map<Digest, number | null>;
  /** ChainIDs of every layer prefix of every image reached: the snapshots those images can use. */
  chainIds: Set<Digest>;
}

/** JSON documents larger than this are not manifests; reading them whole would be waste. */
const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

/** Walks indexes -> manifests -> configs and layers from the given roots. Unknown blobs are leaves. */
export async function collectReachable(blobs: BlobStore, roots: Iterable<Digest>): Promise<ReachableSet> {
  const reachable: ReachableSet = { blobs: new Map(), chainIds: new Set() };
  const queue = [...roots];
  for (let digest = queue.pop(); digest !== undefined; digest = queue.pop()) {
    if (reachable.blobs.has(digest)) continue;
    const info = await blobs.statIfExists(digest);
    reachable.blobs.set(digest, info?.size ?? null);
    if (info === null || info.size > MAX_DOCUMENT_BYTES) continue;
    queue.push(...(await childrenOf(blobs, digest, reachable.chainIds)));
  }
  return reachable;
}

async function childrenOf(blobs: BlobStore, digest: Digest, chainIds: Set<Digest>): Promise<Digest[]> {
  if ((await blobs.readPrefix(digest, 1).catch(ignoreVanished))?.[0] !== 0x7b) return []; // not `{`: not JSON
  // A corrupt manifest throws here rather than letting a GC forget everything it references.
  const bytes = await blobs.readBytes(digest).catch(ignoreVanished);
  const parsed = bytes === null ? null : tryParseManifest(bytes);
  if (parsed === null) return [];
  if (parsed.kind === 'index') return parsed.index.manifests.map((child) => child.digest);
  const { config, layers } = parsed.manifest;
  const diffIds = await diffIdsOf(blobs, config.digest);
  chainIdsOf(diffIds).forEach((chainId) => chainIds.add(chainId));
  return [config.digest, ...layers.map((layer) => layer.digest)];
}

function ignoreVanished(error: unknown): null {
  if (error instanceof LayerStoreError && error.code === LayerStoreErrorCode.BlobNotFound) return null;
  throw error;
}

async function diffIdsOf(blobs: BlobStore, configDigest: Digest): Promise<Digest[]> {
  try {
    return parseImageConfig(await blobs.readJson(configDigest)).rootfs.diff_ids;
  } catch {
    return []; // config not pulled or damaged: its layers are still kept, its snapshots cannot be named
  }
}
