import fs from 'node:fs/promises';
import path from 'node:path';
import { LayerStore, nextChainId, skipEmptyMountStubs, tarDirectory } from '@berth/layer-store';
import { matchRootAttributes, OverlayMount, OverlayMounter } from '../run/overlay-mounter';
import { carryUp } from '../copy/direct-write';
import { CopyUp } from '../copy/union-lookup';
import { BuildProgress } from './progress';
import { ImageState, lowerDirs, topChainId } from './image-state';
import { CachedStep, StepCache } from './step-cache';

export interface LayerStepsOptions {
  store: LayerStore;
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
  constructor(private readonly options: LayerStepsOptions) {}

  /**
   * `writer`: who changes the upper dir. A container (RUN) can leave capabilities and opaque
   * dirs, which only extended attributes tell; Berth's own file steps (COPY, ADD, WORKDIR) set no
   * xattrs and never remove a directory to make another, so their layers skip reading them.
   */
  async run(state: ImageState, key: string, createdBy: string, change: (upperDir: string) => Promise<void>, writer: 'container' | 'berth' = 'container'): Promise<ImageState> {
    const cached = this.options.noCache ? null : await this.usableCacheEntry(key);
    if (cached) {
      this.options.progress.cached();
      return this.append(state, key, createdBy, cached);
    }
    // The upper dir is already in lower-dir form: after it is packed, it becomes the snapshot.

    const upperDir = await this.newUpperDir();
    try {
      await change(upperDir);
      const step: CachedStep = { layer: await this.commit(upperDir, writer === 'container'), created: this.options.now().toISOString() };
      await this.options.cache.put(key, step);
      return await this.append(state, key, createdBy, step, upperDir);
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

  /** Stores the upper dir as a gzipped layer; a step that changed nothing makes no layer. */
  private async commit(upperDir: string, readXattrs: boolean): Promise<CachedStep['layer']> {
    if ((await fs.readdir(upperDir)).length === 0) return null;
    const tar = tarDirectory(upperDir, { overlayUpper: true, readXattrs, skip: skipEmptyMountStubs() });
    const written = await this.options.store.writeLayer(tar);
    return { diffId: written.diffId, digest: written.digest, size: written.size };
  }

  private async append(state: ImageState, key: string, createdBy: string, step: CachedStep, upperDir?: string): Promise<ImageState> {
    if (!step.layer) {
      return { ...state, cacheKey: key, history: [...state.history, { created: state.created, created_by: createdBy, empty_layer: true }] };
    }
    const parent = topChainId(state);
    const chainId = nextChainId(parent, step.layer.diffId);
    const snapshot = upperDir
      ? await this.options.store.snapshots.adopt(chainId, upperDir, { parent, diffId: step.layer.diffId, digest: step.layer.digest })
      : await this.options.store.snapshots.extractLayer(chainId, step.layer.digest, parent);
    return {
      ...state,
      cacheKey: key,
      created: step.created,
      layers: [...state.layers, { ...step.layer, chainId, snapshotPath: snapshot.path }],
      history: [...state.history, { created: step.created, created_by: createdBy }],
    };
  }
}

