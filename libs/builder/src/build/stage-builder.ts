import type { Instruction, ParsedDockerfile, Stage, StageInstruction } from '@berth/dockerfile';
import { parseOnbuildTrigger, StageScope } from '@berth/dockerfile';
import { BuildContext } from '../context/build-context.port';
import { BuilderError, BuilderErrorCode } from './builder.errors';
import { CopySource, FileSteps } from './file-steps';
import { ImageState, mergeEnv } from './image-state';
import { applyMetadata, MetadataContext, resolveWorkdir } from './metadata-steps';
import { BuildProgress, StepCounter } from './progress';
import { stepKey } from './step-cache';

export interface BuiltStage {
  state: ImageState;
  scope: StageScope;
}

export interface StageBuilderOptions {
  dockerfile: ParsedDockerfile;
  context: BuildContext;
  files: FileSteps;
  progress: BuildProgress;
  /** Opens the file system of an earlier stage or an image, for COPY --from. */
  openCopySource(from: { kind: 'stage'; index: number } | { kind: 'image'; reference: string }): Promise<CopySource>;
  signal?: AbortSignal;
}

/** Builds one stage: its base, the base image's ONBUILD triggers, then its instructions in order. */
export class StageBuilder {
  constructor(
    private readonly options: StageBuilderOptions,
    private readonly counter: StepCounter,
  ) {}

  async build(stage: Stage, base: ImageState, scope: StageScope): Promise<BuiltStage> {
    let state: ImageState = { ...base, config: structuredClone(base.config), history: [...base.history] };
    const metadata: MetadataContext = { cmdSetInStage: false };
    const triggers = [...stage.inheritedTriggers, ...this.imageTriggers(state)];
    if (state.config.OnBuild) delete state.config.OnBuild;
    for (const instruction of [...triggers, ...stage.instructions]) {
      if (this.options.signal?.aborted) throw new BuilderError(BuilderErrorCode.Cancelled, 'the build was cancelled');
      state = await this.step(stage, state, scope, instruction, metadata);
    }
    return { state, scope };
  }

  private imageTriggers(state: ImageState): StageInstruction[] {
    return (state.config.OnBuild ?? []).map((expression) => parseOnbuildTrigger(expression));
  }

  private async step(stage: Stage, state: ImageState, scope: StageScope, raw: StageInstruction, metadata: MetadataContext): Promise<ImageState> {
    const started = Date.now();
    const { instruction } = scope.apply(raw);
    this.options.progress.step(this.counter.next(), stageLabel(stage) + raw.original.trim());
    const next = await this.dispatch(state, scope, instruction, metadata);
    this.options.progress.stepDone((Date.now() - started) / 1000);
    return next;
  }

  private async dispatch(state: ImageState, scope: StageScope, instruction: Instruction, metadata: MetadataContext): Promise<ImageState> {
    switch (instruction.kind) {
      case 'RUN':
        return this.options.files.run(state, instruction, scope.runEnv, scope.env);
      case 'COPY':
      case 'ADD':
        return this.copy(state, instruction);
      case 'WORKDIR': {
        const workdir = resolveWorkdir(state.config.WorkingDir, instruction.path);
        const withWorkdir = { ...state, config: { ...state.config, WorkingDir: workdir } };
        return this.options.files.workdir(withWorkdir, instruction, workdir);
      }
      case 'ENV': {
        const updates = new Map(instruction.variables.map(({ key, value }) => [key, value]));
        const config = { ...state.config, Env: mergeEnv(state.config.Env, updates) };
        return this.metadataOnly({ ...state, config }, instruction, [...updates]);
      }
      case 'ARG':
        return { ...state, cacheKey: stepKey(state.cacheKey, ['ARG', [...scope.declaredArgs].filter(([name]) => scope.env.has(name))]) };
      case 'MAINTAINER':
        return this.metadataOnly({ ...state, author: instruction.maintainer }, instruction, instruction.maintainer);
      case 'FROM':
        throw new BuilderError(BuilderErrorCode.InvalidInstruction, `line ${instruction.line}: FROM inside a stage`);
      default: {
        const config = structuredClone(state.config);
        applyMetadata(instruction, config, metadata);
        return this.metadataOnly({ ...state, config }, instruction, config);
      }
    }
  }

  private metadataOnly(state: ImageState, instruction: Instruction, keyPart: unknown): ImageState {
    return {
      ...state,
      cacheKey: stepKey(state.cacheKey, [instruction.kind, keyPart]),
      history: [...state.history, { created: state.created, created_by: instruction.original.trim(), empty_layer: true }],
    };
  }

  private async copy(state: ImageState, instruction: Extract<Instruction, { kind: 'COPY' | 'ADD' }>): Promise<ImageState> {
    const from = instruction.kind === 'COPY' ? instruction.source : undefined;
    const source: CopySource = from
      ? await this.options.openCopySource(from)
      : { context: this.options.context, key: '', release: async () => undefined };
    try {
      return await this.options.files.copy(state, instruction, source);
    } finally {
      await source.release();
    }
  }
}

function stageLabel(stage: Stage): string {
  return stage.name ? `[${stage.name}] ` : '';
}
