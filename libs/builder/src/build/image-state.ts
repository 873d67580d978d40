import type { ContainerConfig, Digest, HistoryEntry } from '@berth/layer-store';
import type { LayerBlob } from './background-layers';

export interface LayerRef {
  diffId: Digest;
  /** The gzipped blob; for a layer this build just made, it may still be being stored. */
  blob: Promise<LayerBlob>;
  chainId: Digest;
  /** Extracted snapshot, usable as an overlay lower dir. */
  snapshotPath: string;
}

/** An image while it is being built: its layers, its config, its history, and the cache chain. */
export interface ImageState {
  layers: LayerRef[];
  config: ContainerConfig;
  history: HistoryEntry[];
  author?: string;
  created?: string;
  /** Identifies everything that led here; each step's cache key extends it. */
  cacheKey: string;
}

/** FROM scratch: BuildKit's empty image has WorkingDir "/" (and PATH, which the builder adds to every base). */
export function scratchState(): ImageState {
  return { layers: [], config: { WorkingDir: '/' }, history: [], cacheKey: 'scratch' };
}

export function topChainId(state: ImageState): Digest | undefined {
  return state.layers.at(-1)?.chainId;
}

/** Overlay lower dirs: the top-most layer first. */
export function lowerDirs(state: ImageState): string[] {
  return state.layers.map((layer) => layer.snapshotPath).reverse();
}

/** `KEY=VALUE` list in the order Docker keeps: existing keys stay in place, new ones are appended. */
export function mergeEnv(env: readonly string[] | undefined, updates: ReadonlyMap<string, string>): string[] {
  const result = [...(env ?? [])];
  for (const [key, value] of updates) {
    const index = result.findIndex((entry) => entry === key || entry.startsWith(`${key}=`));
    if (index >= 0) result[index] = `${key}=${value}`;
    else result.push(`${key}=${value}`);
  }
  return result;
}
