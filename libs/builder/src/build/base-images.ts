import fs from 'node:fs/promises';
import { Digest, HistoryEntry, LayerStore, LayerStoreError, LayerStoreErrorCode } from '@berth/layer-store';
import { DirectoryContext } from '../context/directory-context';
import { BuilderError, BuilderErrorCode } from './builder.errors';
import { CopySource } from './file-steps';
import { ImageState, scratchState } from './image-state';
import { LayerSteps } from './layer-steps';
import { BuiltStage } from './stage-builder';

interface LeaseHandle {
  add(digests: Digest[]): Promise<void>;
}

/**
 * Fetches a base image the store does not have (from Docker Hub or any registry) into the
 * store; answers the name it has there. Builds work offline without it, from local images only.
 */
export interface BaseImageFetcher {
  fetch(reference: string, progress: (line: string) => void): Promise<string>;
}

/** Images a build starts from or copies from: resolved in the layer store, their layers extracted. */
export class BaseImages {
  constructor(
    private readonly store: LayerStore,
    private readonly steps: LayerSteps,
    private readonly lease: LeaseHandle,
    private readonly fetcher?: BaseImageFetcher,
    private readonly progress?: (line: string) => void,
  ) {}

  async scratch(): Promise<ImageState> {
    return scratchState();
  }

  async image(reference: string): Promise<ImageState> {
    const resolved = await this.resolve(reference);
    await this.lease.add([resolved.manifestDigest]);
    const layerDigests = resolved.manifest.layers.map((layer) => layer.digest as Digest);
    const snapshots = await this.store.snapshots.prepare(layerDigests);
    const diffIds = resolved.config.rootfs.diff_ids;
    return {
      layers: snapshots.map((snapshot, i) => ({
        diffId: diffIds[i],
        blob: Promise.resolve({ digest: layerDigests[i], size: resolved.manifest.layers[i].size }),
        chainId: snapshot.chainId,
        snapshotPath: snapshot.path,
      })),
      config: structuredClone(resolved.config.config ?? {}),
      history: consistentHistory(resolved.config.history, diffIds.length),
      author: resolved.config.author,
      created: resolved.config.created,
      cacheKey: resolved.manifestDigest,
    };
  }

  /** An image built or tagged locally under exactly this name wins; otherwise it is fetched. */
  private async resolve(reference: string) {
    const local = await this.store.images.resolveImage(reference).catch((error: unknown) => {
      if (error instanceof LayerStoreError && (error.code === LayerStoreErrorCode.UnknownImage || error.code === LayerStoreErrorCode.InvalidReference)) return null;
      throw error;
    });
    if (local) return local;
    if (!this.fetcher) {
      throw new BuilderError(BuilderErrorCode.BaseImageNotFound, `base image "${reference}" is not in Berth's layer store and this build may not pull; build or import it first`);
    }
    const stored = await this.fetcher.fetch(reference, this.progress ?? (() => undefined)).catch((error: Error) => {
      throw new BuilderError(BuilderErrorCode.BaseImageNotFound, `base image "${reference}" could not be pulled: ${error.message}`);
    });
    return this.store.images.resolveImage(stored);
  }

  /** The file system of an earlier stage or an image, mounted for COPY --from to read. */
  async openCopySource(from: { kind: 'stage'; index: number } | { kind: 'image'; reference: string }, built: Map<number, BuiltStage>): Promise<CopySource> {
    const state = from.kind === 'stage' ? built.get(from.index)!.state : await this.image(from.reference);
    const upper = await this.steps.newUpperDir();
    const mount = await this.steps.mountWritable(state, upper);
    return {
      context: new DirectoryContext(mount.target),
      key: state.cacheKey,
      release: async () => {
        await mount.unmount();
        await fs.rm(upper, { recursive: true, force: true });
      },
    };
  }
}

/** Docker needs one non-empty history entry per layer; an image without that gets a plain one. */
function consistentHistory(history: HistoryEntry[] | undefined, layerCount: number): HistoryEntry[] {
  const entries = history ?? [];
  if (entries.filter((entry) => !entry.empty_layer).length === layerCount) return [...entries];
  return Array.from({ length: layerCount }, () => ({ created_by: 'layer of the base image' }));
}
