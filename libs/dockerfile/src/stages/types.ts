import type { FromInstruction, StageInstruction, TriggerInstruction } from '../instructions/types';
import type { ParserDirectives } from '../parser/ast';
import type { EscapeToken } from '../shell/shell-lexer';
import type { GlobalArg } from './build-args';

/** What a stage starts from. */
export type StageBase =
  | { kind: 'image'; reference: string }
  | { kind: 'stage'; index: number }
  /** `FROM scratch`: an empty file system. */
  | { kind: 'scratch' };

export interface Stage {
  index: number;
  /** `AS name`, lower-cased; stages without one are referred to by index. */
  name?: string;
  from: FromInstruction;
  /** The FROM argument expanded with the global ARGs, then resolved. */
  base: StageBase;
  /** `--platform` expanded with the global ARGs. */
  platform?: string;
  /** Everything after FROM; COPY --from carries its resolved `source`. */
  instructions: StageInstruction[];
  /**
   * ONBUILD triggers of the parent stage (when `base` is a stage), to run before
   * `instructions`. Triggers of a base image come from its config: see parseOnbuildTrigger.
   */
  inheritedTriggers: TriggerInstruction[];
  /** Stages this one needs, by index: its base stage and the stages it copies from. */
  dependencies: number[];
}

export interface DockerfileWarning {
  kind: 'unused_build_arg' | 'empty_continuation_line';
  message: string;
  line?: number;
}

export interface ParsedDockerfile {
  file: string;
  escapeToken: EscapeToken;
  directives: ParserDirectives;
  /** ARGs before the first FROM, with the values in effect. */
  globalArgs: GlobalArg[];
  /**
   * The global scope: the automatic platform arguments plus the global ARGs that have a value.
   * FROM lines are expanded with it; a stage sees a name from it only after `ARG name`.
   */
  globalScope: ReadonlyMap<string, string>;
  stages: Stage[];
  /** Index of the stage to build (`--target`, else the last one). */
  target: number;
  /** The stages the target needs (itself included), each after the stages it depends on. */
  buildOrder: number[];
  buildArgs: ReadonlyMap<string, string>;
  /** Proxy build arguments: for RUN's environment only, never for the image or cache keys. */
  proxyEnv: ReadonlyMap<string, string>;
  /** Build arguments that no ARG of the built stages declares (not an error, as in Docker). */
  unusedBuildArgs: string[];
  warnings: DockerfileWarning[];
}

export interface ParseDockerfileOptions {
  /** `--build-arg` values. */
  buildArgs?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** `--target`: a stage name (case-insensitive). Defaults to the last stage. */
  target?: string;
  /** The name used in error messages. */
  file?: string;
  /** `os/arch[/variant]` of the builder, for BUILDPLATFORM & co. Defaults to linux/amd64. */
  buildPlatform?: string;
  /** `os/arch[/variant]` of the image, for TARGETPLATFORM & co. Defaults to buildPlatform. */
  targetPlatform?: string;
}
