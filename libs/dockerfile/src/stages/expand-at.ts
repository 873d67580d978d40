import { DockerfileError, errorAt, type SourceLocation } from '../errors';
import { expandWord, type Environment, type ShellLexerOptions, type WordExpansion } from '../shell/shell-lexer';

/** Expands a word for an instruction; a failure names the instruction's line and a remedy. */
export function expandAt(
  word: string,
  env: Environment,
  options: ShellLexerOptions,
  location: SourceLocation,
  remedy: string,
): WordExpansion {
  try {
    return expandWord(word, env, options);
  } catch (error) {
    if (!(error instanceof DockerfileError) || error.line !== undefined) throw error;
    throw errorAt(location, error.code, `${error.message}; ${remedy}`);
  }
}
