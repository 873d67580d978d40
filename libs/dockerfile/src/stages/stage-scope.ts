import type { ArgInstruction, EnvInstruction, StageInstruction } from '../instructions/types';
import type { WordExpansion } from '../shell/shell-lexer';
import { InstructionExpander, type AppliedInstruction } from './expand-instruction';
import type { ParsedDockerfile } from './types';

/** What Docker sets when the base image has no PATH (and for `FROM scratch`). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The variables visible inside one stage while it is built, following BuildKit:
 * - the base image's environment (or the parent stage's scope for `FROM <stage>`);
 * - ENV values, which also go to the image config;
 * - ARG values, visible to expansion and to RUN but not stored in the image; an ARG from the
 *   global scope is visible only after the stage re-declares it with `ARG NAME`;
 * - proxy build arguments, visible to RUN only and kept out of the cache key.
 * Expansion needs the base image's environment, which only the builder knows; hence
 * this is evaluated per stage at build time, not baked into the parsed Dockerfile.
 */
export class StageScope {
  private readonly variables: Map<string, string>;
  private readonly configEnv: Map<string, string>;
  private readonly args: Map<string, string | undefined>;

  private constructor(
    private readonly dockerfile: ParsedDockerfile,
    variables: Map<string, string>,
    configEnv: Map<string, string>,
    args: Map<string, string | undefined>,
  ) {
    this.variables = variables;
    this.configEnv = configEnv;
    this.args = args;
  }

  /** A stage built on an image: `imageEnv` is the image config's `KEY=VALUE` list. */
  static forImage(dockerfile: ParsedDockerfile, imageEnv: readonly string[] = []): StageScope {
    const env = new Map<string, string>();
    for (const entry of imageEnv) {
      const equals = entry.indexOf('=');
      if (equals < 0) env.set(entry, '');
      else env.set(entry.slice(0, equals), entry.slice(equals + 1));
    }
    if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH);
    return new StageScope(dockerfile, new Map(env), env, new Map());
  }

  /** `FROM <stage>`: the child starts where the parent stage ended, ARG values included. */
  static forChildOf(parent: StageScope): StageScope {
    return new StageScope(parent.dockerfile, new Map(parent.variables), new Map(parent.configEnv), new Map(parent.args));
  }

  /** Variables expansion sees: base environment, ENV and ARG values. */
  get env(): ReadonlyMap<string, string> {
    return this.variables;
  }

  /** ENV only (base image's included): what the image config stores. */
  get imageEnv(): ReadonlyMap<string, string> {
    return this.configEnv;
  }

  /** The environment of a RUN: `env` plus proxy build arguments not declared as ARG. */
  get runEnv(): ReadonlyMap<string, string> {
    const run = new Map(this.variables);
    for (const [name, value] of this.dockerfile.proxyEnv) if (!run.has(name)) run.set(name, value);
    return run;
  }

  /** ARGs declared so far and their values (undefined: declared without any value). */
  get declaredArgs(): ReadonlyMap<string, string | undefined> {
    return this.args;
  }

  /** Expands one word as an instruction on `line` would. */
  expandWord(word: string, line: number): WordExpansion {
    const expander = new InstructionExpander(this.variables, this.dockerfile.escapeToken, { file: this.dockerfile.file, line });
    return expander.expansion(word);
  }

  /** Expands an instruction with the current variables, then records what it defines. */
  apply<T extends StageInstruction>(instruction: T): AppliedInstruction<T> {
    const expander = new InstructionExpander(this.variables, this.dockerfile.escapeToken, {
      file: this.dockerfile.file,
      line: instruction.line,
    });
    if (instruction.kind === 'ARG') {
      this.declareArgs(instruction, expander);
      return { instruction, used: expander.used };
    }
    const expanded = expander.expand(instruction);
    if (expanded.kind === 'ENV') this.setEnv(expanded);
    return { instruction: expanded, used: expander.used };
  }

  private setEnv(instruction: EnvInstruction): void {
    for (const { key, value } of instruction.variables) {
      this.variables.set(key, value);
      this.configEnv.set(key, value);
    }
  }

  /** A build argument wins, else the default (expanded), else the global value of that name. */
  private declareArgs(instruction: ArgInstruction, expander: InstructionExpander): void {
    for (const { name, defaultValue } of instruction.args) {
      let value = this.dockerfile.buildArgs.get(name);
      if (value === undefined && defaultValue !== undefined) value = expander.word(defaultValue);
      if (value === undefined) value = this.dockerfile.globalScope.get(name);
      if (value !== undefined) this.variables.set(name, value);
      this.args.set(name, value);
    }
  }
}
