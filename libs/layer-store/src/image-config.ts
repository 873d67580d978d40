import { canonicalJson } from './canonical-json';
import { Digest, parseDigest } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';

/** Durations are nanoseconds, as in Docker's and the OCI config. */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: HealthConfig;
  OnBuild?: string[];
  Shell?: string[];
  ArgsEscaped?: boolean;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
}

export interface ImageConfigInput {
  architecture: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: ContainerConfig;
  diffIds: Digest[];
  history?: HistoryEntry[];
}

/** Builds an image config and checks what Docker checks on load: one non-empty history entry per layer. */
export function buildImageConfig(input: ImageConfigInput): ImageConfig {
  const diffIds = input.diffIds.map((diffId) => parseDigest(diffId, 'DiffID'));
  const history = input.history?.map(dropUndefined);
  if (history !== undefined) checkHistoryMatchesLayers(history, diffIds.length);
  return dropUndefined({
    created: input.created,
    author: input.author,
    architecture: input.architecture,
    os: input.os ?? 'linux',
    variant: input.variant,
    config: input.config === undefined ? undefined : dropUndefined(input.config),
    rootfs: { type: 'layers', diff_ids: diffIds },
    history,
  });
}

export function encodeImageConfig(config: ImageConfig): Buffer {
  return canonicalJson(config);
}

/** Reads the parts of a stored config Berth relies on, refusing shapes that would mislead GC or snapshots. */
export function parseImageConfig(value: unknown): ImageConfig {
  const record = value as Partial<ImageConfig> | null;
  const diffIds = record?.rootfs?.diff_ids;
  if (typeof record !== 'object' || record === null || !Array.isArray(diffIds)) {
    throw new LayerStoreError(
      LayerStoreErrorCode.InvalidImageConfig,
      'image config has no rootfs.diff_ids; it is not an image config or it is damaged',
    );
  }
  diffIds.forEach((diffId) => parseDigest(diffId, 'rootfs DiffID'));
  return record as ImageConfig;
}

function checkHistoryMatchesLayers(history: HistoryEntry[], layerCount: number): void {
  const layerEntries = history.filter((entry) => entry.empty_layer !== true).length;
  if (layerEntries !== layerCount) {
    throw new LayerStoreError(
      LayerStoreErrorCode.InvalidImageConfig,
      `history has ${layerEntries} entries that create a layer but the image has ${layerCount} layers; ` +
        'mark steps that change only metadata with empty_layer: true',
      { layerEntries, layerCount },
    );
  }
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}
