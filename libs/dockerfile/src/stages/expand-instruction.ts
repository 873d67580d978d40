import { DEFAULT_DOCKERFILE_NAME, type SourceLocation } from '../errors';
import type {
  AddInstruction,
  CopyInstruction,
  InlineFile,
  KeyValue,
  StageInstruction,
} from '../instructions/types';
import type { Environment, EscapeToken, ShellLexerOptions, WordExpansion } from '../shell/shell-lexer';
import { expandAt } from './expand-at';

export interface AppliedInstruction<T extends StageInstruction = StageInstruction> {
  /** The instruction with the arguments BuildKit expands already expanded. */
  instruction: T;
  /** Variables the expansion read (BuildKit puts their values in the cache key). */
  used: ReadonlySet<string>;
}

/**
 * Expands an instruction against an environment the caller maintains. ARG instructions are
 * returned unchanged: what they define depends on build arguments, see StageScope.
 */
export function expandInstruction<T extends StageInstruction>(
  instruction: T,
  env: Environment,
  options: { escapeToken?: EscapeToken; file?: string } = {},
): AppliedInstruction<T> {
  const location = { file: options.file ?? DEFAULT_DOCKERFILE_NAME, line: instruction.line };
  const expander = new InstructionExpander(env, options.escapeToken ?? '\\', location);
  return { instruction: expander.expand(instruction), used: expander.used };
}

/**
 * Which arguments the frontend expands, per BuildKit (the `Expand` methods of
 * instructions/commands.go and the classic builder's replaceEnvAllowed list): ENV, LABEL,
 * ADD, COPY, WORKDIR, USER, VOLUME, STOPSIGNAL, EXPOSE (split into words), ARG defaults.
 * RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, MAINTAINER and ONBUILD are left for the shell
 * (or for the stage that runs the trigger). COPY --from is never expanded.
 */
export class InstructionExpander {
  readonly used = new Set<string>();

  constructor(
    private readonly env: Environment,
    private readonly escapeToken: EscapeToken,
    private readonly location: SourceLocation,
  ) {}

  /** BuildKit's ProcessWord with the Dockerfile's escape token. */
  word(word: string): string {
    return this.expansion(word, { escapeToken: this.escapeToken }).value;
  }

  /** BuildKit's ProcessWords: the word split into fields after expansion. */
  words(word: string): string[] {
    return this.expansion(word, { escapeToken: this.escapeToken }).words;
  }

  /** Here-document bodies: quotes are plain text, the escape is always the backslash. */
  inlineContent(content: string): string {
    return this.expansion(content, { escapeToken: '\\', skipProcessQuotes: true }).value;
  }

  expand<T extends StageInstruction>(instruction: T): T {
    const expanded: StageInstruction = this.expandAny(instruction);
    return expanded as T;
  }

  private expandAny(instruction: StageInstruction): StageInstruction {
    switch (instruction.kind) {
      case 'ENV':
        return { ...instruction, variables: this.keyValues(instruction.variables) };
      case 'LABEL':
        return { ...instruction, labels: this.keyValues(instruction.labels) };
      case 'COPY':
      case 'ADD':
        return this.fileTransfer(instruction);
      case 'WORKDIR':
        return { ...instruction, path: this.word(instruction.path) };
      case 'USER':
        return { ...instruction, user: this.word(instruction.user) };
      case 'STOPSIGNAL':
        return { ...instruction, signal: this.word(instruction.signal) };
      case 'VOLUME':
        return { ...instruction, volumes: instruction.volumes.map((volume) => this.word(volume)) };
      case 'EXPOSE':
        return { ...instruction, ports: instruction.ports.flatMap((port) => this.words(port)) };
      default:
        return instruction;
    }
  }

  private keyValues(pairs: readonly KeyValue[]): KeyValue[] {
    return pairs.map((pair) => ({ key: this.word(pair.key), value: this.word(pair.value) }));
  }

  private fileTransfer<T extends CopyInstruction | AddInstruction>(instruction: T): T {
    const expanded: T = {
      ...instruction,
      sources: instruction.sources.map((source) => this.word(source)),
      destination: this.word(instruction.destination),
      inlineFiles: instruction.inlineFiles.map((file) => this.inlineFile(file)),
    };
    if (instruction.chown !== undefined) expanded.chown = this.word(instruction.chown);
    if (instruction.chmod !== undefined) expanded.chmod = this.word(instruction.chmod);
    if ('checksum' in instruction && instruction.checksum !== undefined) {
      (expanded as AddInstruction).checksum = this.word(instruction.checksum);
    }
    return expanded;
  }

  private inlineFile(file: InlineFile): InlineFile {
    return file.expand ? { ...file, content: this.inlineContent(file.content) } : file;
  }

  /** Expands with the given lexer options, recording the variables read. */
  expansion(word: string, options: ShellLexerOptions = { escapeToken: this.escapeToken }): WordExpansion {
    const remedy = 'define the variable with ARG or ENV before this line, or give it a default like ${NAME:-value}';
    const expansion = expandAt(word, this.env, options, this.location, remedy);
    for (const name of expansion.used) this.used.add(name);
    return expansion;
  }
}
