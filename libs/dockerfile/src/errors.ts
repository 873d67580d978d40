import { DomainError } from '@berth/errors';

export enum DockerfileErrorCode {
  /** The file has no instruction at all (empty or only comments). */
  Empty = 'dockerfile_empty',
  /** Malformed text: bad JSON array, missing `=`, unterminated quote... */
  Syntax = 'dockerfile_syntax',
  InvalidDirective = 'dockerfile_invalid_directive',
  UnknownInstruction = 'dockerfile_unknown_instruction',
  /** An instruction got the wrong number or shape of arguments. */
  InvalidArguments = 'dockerfile_invalid_arguments',
  UnknownFlag = 'dockerfile_unknown_flag',
  /** A flag BuildKit knows but Berth's builder deliberately refuses. */
  UnsupportedFlag = 'dockerfile_unsupported_flag',
  InvalidFlagValue = 'dockerfile_invalid_flag_value',
  UnterminatedHeredoc = 'dockerfile_unterminated_heredoc',
  InvalidOnbuild = 'dockerfile_invalid_onbuild',
  /** An instruction other than ARG appears before the first FROM. */
  NoStage = 'dockerfile_no_stage',
  InvalidStageName = 'dockerfile_invalid_stage_name',
  DuplicateStageName = 'dockerfile_duplicate_stage_name',
  InvalidStageReference = 'dockerfile_invalid_stage_reference',
  CircularDependency = 'dockerfile_circular_dependency',
  UnknownTarget = 'dockerfile_unknown_target',
  /** Variable expansion failed, e.g. `${NAME:?message}` with NAME unset. */
  Expansion = 'dockerfile_expansion',
  InvalidIgnorePattern = 'dockerignore_invalid_pattern',
}

export interface DockerfileErrorDetails extends Record<string, unknown> {
  file?: string;
  line?: number;
}

export class DockerfileError extends DomainError<DockerfileErrorCode> {
  readonly domain = 'dockerfile';

  constructor(code: DockerfileErrorCode, message: string, details?: DockerfileErrorDetails) {
    super(code, message, details);
  }

  /** The 1-based line the problem is on, when it belongs to one. */
  get line(): number | undefined {
    return (this.details as DockerfileErrorDetails | undefined)?.line;
  }
}

/** Where a problem is, so every message can start with `Dockerfile:7:`. */
export interface SourceLocation {
  file: string;
  line: number;
}

export const DEFAULT_DOCKERFILE_NAME = 'Dockerfile';

export function errorAt(location: SourceLocation, code: DockerfileErrorCode, message: string): DockerfileError {
  return new DockerfileError(code, `${location.file}:${location.line}: ${message}`, {
    file: location.file,
    line: location.line,
  });
}

/**
 * Lower layers (the shell lexer, the flag parser) do not know where they are in the file;
 * the layer that does re-throws their error with the location in front.
 */
export function locateError(error: unknown, location: SourceLocation): unknown {
  if (!(error instanceof DockerfileError) || error.line !== undefined) return error;
  return errorAt(location, error.code, error.message);
}
