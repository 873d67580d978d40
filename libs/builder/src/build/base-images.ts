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

/** Images a build starts from or copies from: resolved in the layer store, their layers extracted. */
export class BaseImages {
  constructor(
    private readonly store: LayerStore,
    private readonly steps: LayerSteps,
    private readonly lease: LeaseHandle,
  ) {}

  async scratch(): Promise<ImageState> {
    return scratchState();
  }

  async image(reference: string): Promise<ImageState> {
    const resolved = await this.store.images.resolveImage(reference).catch((error: unknown) => {
      if (error instanceof LayerStoreError && error.code === LayerStoreErrorCode.UnknownImage) {
        throw new BuilderError(
          BuilderErrorCode.BaseImageNotFound,
          `base image "${reference}" is not in Berth's layer store; build or import it first (berth image ls lists what is there)`,
        );
      }
      throw error;
    });
    await this.lease.add([resolved.manifestDigest]);
    const layerDigests = resolved.manifest.layers.map((layer) => layer.digest as Digest);
    const snapshots = await this.store.snapshots.prepare(layerDigests);
    const diffIds = resolved.config.rootfs.diff_ids;
    return {
      layers: snapshots.map((snapshot, i) => ({
        diffId: diffIds[i],
        digest: layerDigests[i],
        size: resolved.manifest.layers[i].size,
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
