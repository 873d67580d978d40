import fs from 'node:fs/promises';
import path from 'node:path';
import type { ParsedDockerfile, Stage } from '@berth/dockerfile';
import { DEFAULT_PATH, parseDockerfile, StageScope } from '@berth/dockerfile';
import { buildImageConfig, Digest, hostPlatform, LayerStore } from '@berth/layer-store';
import { BuildContext } from '../context/build-context.port';
import { CommandRunner } from '../run/command-runner';
import { OverlayMounter } from '../run/overlay-mounter';
import { RuncExecutor } from '../run/runc-executor';
import { GetfattrOpaqueProbe } from '../copy/opaque-probe';
import { BackgroundWork } from './background-layers';
import { BaseImageFetcher, BaseImages } from './base-images';
import { BuilderError, BuilderErrorCode } from './builder.errors';
import { FileSteps } from './file-steps';
import { ImageState, mergeEnv } from './image-state';
import { LayerSteps } from './layer-steps';
import { BuildProgress, StepCounter } from './progress';
import { BuiltStage, StageBuilder } from './stage-builder';
import { StepCache } from './step-cache';
import { BUILD_DIR_PREFIX, claimBuildDir, cleanStaleBuilds } from './stale-builds';

/** Docker refuses images deeper than this many layers (overlay's stacking limit). */
export const MAX_LAYERS = 125;
const WARN_LAYERS = 100;

export interface BuildRequest {
  context: BuildContext;
  /** The Dockerfile: its name for messages and its text (read apart from the context, as Docker does). */
  dockerfile: { name: string; text: string };
  buildArgs?: Record<string, string>;
  target?: string;
  tags?: string[];
  noCache?: boolean;
  progress: BuildProgress;
  signal?: AbortSignal;
}

export interface BuildResult {
  manifestDigest: Digest;
  layers: number;
}

export interface ImageBuilderOptions {
  store: LayerStore;
  runner: CommandRunner;
  ociRuntime: string;
  /** Scratch space for upper dirs, mounts and runc state: on the store's file system. */
  workDir: string;
  /** Pulls base images the store lacks; without it, FROM only finds local images. */
  baseImages?: BaseImageFetcher;
  now?: () => Date;
}

/** Turns a build context and a Dockerfile into an image in the layer store, with no Docker daemon. */
export class ImageBuilder {
  /** Kept across builds: a warm daemon asks about the same snapshot directories again. */
  private readonly opaqueProbe: GetfattrOpaqueProbe;

  constructor(private readonly options: ImageBuilderOptions) {
    this.opaqueProbe = new GetfattrOpaqueProbe(options.runner);
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    const dockerfile = await this.parse(request);
    for (const warning of dockerfile.warnings) request.progress.warn(warning.message);
    await fs.mkdir(this.options.workDir, { recursive: true });
    await cleanStaleBuilds(this.options.workDir, this.options.runner, this.options.ociRuntime);
    const workDir = await fs.mkdtemp(path.join(this.options.workDir, BUILD_DIR_PREFIX));
    await claimBuildDir(workDir);
    const lease = await this.options.store.acquireLease([]);
    const background = new BackgroundWork();
    try {
      const state = await this.buildStages(dockerfile, request, workDir, lease, background);
      await background.settle();
      const manifestDigest = await this.writeImage(state);
      for (const tag of request.tags ?? []) await this.options.store.tag(tag, manifestDigest);
      return { manifestDigest, layers: state.layers.length };
    } finally {
      // A failed build still waits for the layers it was storing, so none is written after it ends.
      await background.settle().catch(() => undefined);
      await request.context.close?.();
      await lease.release();
      await fs.rm(workDir, { recursive: true, force: true });
    }
  }

  private async parse(request: BuildRequest): Promise<ParsedDockerfile> {
    const { name, text } = request.dockerfile;
    return parseDockerfile(text, { buildArgs: request.buildArgs, target: request.target, file: name });
  }

  private async buildStages(dockerfile: ParsedDockerfile, request: BuildRequest, workDir: string, lease: { add(digests: Digest[]): Promise<void> }, background: BackgroundWork): Promise<ImageState> {
    const mounter = new OverlayMounter(this.options.runner);
    const steps = new LayerSteps({
      store: this.options.store,
      background,
      cache: new StepCache(path.join(this.options.store.layout.root, 'berth', 'build-cache')),
      mounter,
      progress: request.progress,
      workDir,
      noCache: request.noCache ?? false,
      now: this.options.now ?? (() => new Date()),
    });
    const executor = new RuncExecutor(this.options.runner, { runtime: this.options.ociRuntime, stateDir: path.join(workDir, 'run') });
    const files = new FileSteps({ steps, executor, opaqueProbe: this.opaqueProbe.probe, scratchDir: workDir, progress: request.progress, signal: request.signal });
    const bases = new BaseImages(this.options.store, steps, lease, this.options.baseImages, (line) => request.progress.info(line));
    const built = new Map<number, BuiltStage>();
    const counter = new StepCounter(countSteps(dockerfile));
    const stageBuilder = new StageBuilder(
      { dockerfile, context: request.context, files, progress: request.progress, signal: request.signal, openCopySource: (from) => bases.openCopySource(from, built) },
      counter,
    );
    for (const index of dockerfile.buildOrder) {
      const stage = dockerfile.stages[index];
      request.progress.step(counter.next(), stage.from.original.trim());
      const { state, scope } = await this.baseOf(stage, dockerfile, bases, built);
      const result = await stageBuilder.build(stage, state, scope);
      checkLayerCount(result.state, request);
      built.set(index, result);
    }
    return built.get(dockerfile.target)!.state;
  }

  private async baseOf(stage: Stage, dockerfile: ParsedDockerfile, bases: BaseImages, built: Map<number, BuiltStage>): Promise<BuiltStage> {
    if (stage.base.kind === 'stage') {
      const parent = built.get(stage.base.index)!;
      return { state: parent.state, scope: StageScope.forChildOf(parent.scope) };
    }
    const state = stage.base.kind === 'scratch' ? await bases.scratch() : await bases.image(stage.base.reference);
    const env = state.config.Env ?? [];
    if (!env.some((entry) => entry.startsWith('PATH='))) state.config.Env = mergeEnv(env, new Map([['PATH', DEFAULT_PATH]]));
    return { state, scope: StageScope.forImage(dockerfile, state.config.Env) };
  }

  private async writeImage(state: ImageState): Promise<Digest> {
    const platform = hostPlatform();
    const config = buildImageConfig({
      architecture: platform.architecture,
      os: platform.os,
      created: state.created,
      author: state.author,
      config: state.config,
      diffIds: state.layers.map((layer) => layer.diffId),
      history: state.history,
    });
    const layers = await Promise.all(state.layers.map((layer) => layer.blob));
    const stored = await this.options.store.putImage({ config, layers });
    return stored.manifest.digest as Digest;
  }
}

function countSteps(dockerfile: ParsedDockerfile): number {
  return dockerfile.buildOrder.reduce((sum, index) => sum + 1 + dockerfile.stages[index].instructions.length + dockerfile.stages[index].inheritedTriggers.length, 0);
}

function checkLayerCount(state: ImageState, request: BuildRequest): void {
  if (state.layers.length > MAX_LAYERS) {
    throw new BuilderError(BuilderErrorCode.TooManyLayers, `the image has ${state.layers.length} layers, more than the ${MAX_LAYERS} Docker can run; merge RUN steps`);
  }
  if (state.layers.length > WARN_LAYERS) {
    request.progress.warn(`the image has ${state.layers.length} layers; Docker refuses more than ${MAX_LAYERS}: merge RUN steps`);
  }
}
