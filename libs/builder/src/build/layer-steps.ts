import fs from 'node:fs/promises';
import path from 'node:path';
import { Digest, LayerStore, nextChainId, skipEmptyMountStubs, tarDirectory, XattrsByPath } from '@berth/layer-store';
import { matchRootAttributes, OverlayMount, OverlayMounter } from '../run/overlay-mounter';
import { carryUp } from '../copy/direct-write';
import { CopyUp } from '../copy/union-lookup';
import { BuildProgress } from './progress';
import { BackgroundWork, LayerBlob, PackedLayer, packLayer } from './background-layers';
import { ImageState, LayerRef, lowerDirs, topChainId } from './image-state';
import { CachedStep, StepCache } from './step-cache';

/** What a step's change can tell the packing of its layer. */
export interface StepOutput {
  /** Content of files the step just wrote, so they are not read back (see TarDirectoryOptions). */
  knownContent?: (path: string, size: number) => Buffer | undefined;
  /** The upper dir's xattrs, read once the step stopped changing it (see RunStepResult). */
  xattrs?: Promise<XattrsByPath>;
}

export interface LayerStepsOptions {
  store: LayerStore;
  /** Where layer blobs still being stored are tracked; the build settles it before writing the image. */
  background: BackgroundWork;
  cache: StepCache;
  mounter: OverlayMounter;
  progress: BuildProgress;
  /** Scratch space for upper dirs and mounts. */
  workDir: string;
  noCache: boolean;
  now: () => Date;
}

/**
 * Runs the steps that change files. A step gets a fresh overlay upper dir over the image's
 * snapshots; what it leaves there becomes the new read-only layer (copy-on-write, as in
 * Docker). A step whose cache key was seen before reuses its layer ("Using cache").
 */
export class LayerSteps {
  /** The latest step's cache write; each waits for the one before. */
  private cacheWrites: Promise<void> = Promise.resolve();

  constructor(private readonly options: LayerStepsOptions) {}

  /**
   * `writer`: who changes the upper dir. A container (RUN) can leave capabilities and opaque
   * dirs, which only extended attributes tell; Berth's own file steps (COPY, ADD, WORKDIR) set no
   * xattrs and never remove a directory to make another, so their layers skip reading them.
   */
  async run(state: ImageState, key: string, createdBy: string, change: (upperDir: string) => Promise<StepOutput | void>, writer: 'container' | 'berth' = 'container'): Promise<ImageState> {
    const cached = this.options.noCache ? null : await this.usableCacheEntry(key);
    if (cached) {
      this.options.progress.cached();
      return this.append(state, key, createdBy, cached);
    }
    // The upper dir is already in lower-dir form: after it is packed, it becomes the snapshot.

    const upperDir = await this.newUpperDir();
    try {
      const output = await change(upperDir);
      const packed = await this.commit(upperDir, writer === 'container', output || {});
      const created = this.options.now().toISOString();
      if (packed === null) {
        const step: CachedStep = { layer: null, created };
        void this.cacheInOrder(key, Promise.resolve(step));
        return this.append(state, key, createdBy, step);
      }
      const blob = packed.blob;
      void this.cacheInOrder(key, blob.then((stored) => ({ layer: { diffId: packed.diffId, ...stored }, created })));
      return await this.appendNew(state, key, createdBy, { diffId: packed.diffId, blob, created }, upperDir);
    } finally {
      await fs.rm(upperDir, { recursive: true, force: true });
    }
  }

  /** A fresh, empty upper dir in the build's scratch space. */
  newUpperDir(): Promise<string> {
    return fs.mkdtemp(path.join(this.options.workDir, 'upper-'));
  }

  /**
   * Readies `upperDir` for a step that writes into it directly, without a mount: the root and the
   * image directories the step writes beneath get the attributes overlayfs would give them.
   */
  async prepareDirect(state: ImageState, upperDir: string, copyUps: readonly CopyUp[]): Promise<void> {
    await matchRootAttributes(upperDir, state.layers.at(-1)?.snapshotPath);
    carryUp(upperDir, copyUps);
  }

  /** Mounts the image writable over `upperDir` for a step that edits files from the host side. */
  async mountWritable(state: ImageState, upperDir: string): Promise<OverlayMount> {
    const scratch = await fs.mkdtemp(path.join(this.options.workDir, 'mount-'));
    await matchRootAttributes(upperDir, state.layers.at(-1)?.snapshotPath);
    const mount = await this.options.mounter.mount({
      lowerDirs: lowerDirs(state),
      upperDir,
      workDir: path.join(scratch, 'work'),
      target: path.join(scratch, 'rootfs'),
      scratchDir: scratch,
    });
    return {
      target: mount.target,
      unmount: async () => {
        await mount.unmount();
        await fs.rm(scratch, { recursive: true, force: true });
      },
    };
  }

  private async usableCacheEntry(key: string): Promise<CachedStep | null> {
    const step = await this.options.cache.get(key);
    if (!step) return null;
    if (step.layer && !(await this.options.store.blobs.has(step.layer.digest))) return null;
    return step;
  }

  /**
   * Records a step in the cache once its blob is stored (an entry never points at a missing blob)
   * and after the steps before it (an entry never outlives its parent's, whose key it extends).
   */
  private cacheInOrder(key: string, step: Promise<CachedStep>): Promise<void> {
    const previous = this.cacheWrites;
    this.cacheWrites = this.options.background.track(
      (async () => {
        const [stored] = await Promise.all([step, previous]);
        await this.options.cache.put(key, stored);
      })(),
    );
    return this.cacheWrites;
  }

  /** Packs the upper dir as a layer (see packLayer); a step that changed nothing makes no layer. */
  private async commit(upperDir: string, readXattrs: boolean, output: StepOutput): Promise<PackedLayer | null> {
    if ((await fs.readdir(upperDir)).length === 0) return null;
    const xattrs = readXattrs ? await output.xattrs : undefined;
    return packLayer(this.options.store, tarDirectory(upperDir, { overlayUpper: true, readXattrs, skip: skipEmptyMountStubs(), knownContent: output.knownContent, xattrs }));
  }

  /** A cached step: its layer's snapshot is extracted from the stored blob unless it is there. */
  private async append(state: ImageState, key: string, createdBy: string, step: CachedStep): Promise<ImageState> {
    if (!step.layer) {
      return { ...state, cacheKey: key, history: [...state.history, { created: state.created, created_by: createdBy, empty_layer: true }] };
    }
    const parent = topChainId(state);
    const chainId = nextChainId(parent, step.layer.diffId);
    const snapshot = await this.options.store.snapshots.extractLayer(chainId, step.layer.digest, parent);
    const blob = Promise.resolve({ digest: step.layer.digest, size: step.layer.size });
    return this.withLayer(state, key, createdBy, step.created, { diffId: step.layer.diffId, blob, chainId, snapshotPath: snapshot.path });
  }

  /** A layer this step just made: its upper dir becomes the snapshot, its blob may still be being stored. */
  private async appendNew(state: ImageState, key: string, createdBy: string, layer: { diffId: Digest; blob: Promise<LayerBlob>; created: string }, upperDir: string): Promise<ImageState> {
    const parent = topChainId(state);
    const chainId = nextChainId(parent, layer.diffId);
    const snapshots = this.options.store.snapshots;
    const snapshot = await snapshots.adopt(chainId, upperDir, { parent, diffId: layer.diffId }).catch(async (error: NodeJS.ErrnoException) => {
      // Scratch space on another file system: the snapshot is extracted from the blob instead.
      if (error.code !== 'EXDEV') throw error;
      return snapshots.adopt(chainId, upperDir, { parent, diffId: layer.diffId, digest: (await layer.blob).digest });
    });
    return this.withLayer(state, key, createdBy, layer.created, { diffId: layer.diffId, blob: layer.blob, chainId, snapshotPath: snapshot.path });
  }

  private withLayer(state: ImageState, key: string, createdBy: string, created: string, layer: LayerRef): ImageState {
    return {
      ...state,
      cacheKey: key,
      created,
      layers: [...state.layers, layer],
      history: [...state.history, { created, created_by: createdBy }],
    };
  }
}

