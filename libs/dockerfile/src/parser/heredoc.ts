import { DockerfileError, DockerfileErrorCode } from '../errors';
import { processWords, type Environment } from '../shell/shell-lexer';
import type { Heredoc } from './ast';

/** `[fd]<<[-][blanks]word` as one word; Go's `\s` is [\t\n\f\r ]. */
const HEREDOC_WORD = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
// Only `\n` starts a line here, as in Go's (?m) mode; JavaScript's `m` flag also splits at `\r`.
const LEADING_TABS = /(^|\n)\t+/g;
const NO_VARIABLES: Environment = new Map();

/** Instructions whose shell-form arguments may introduce here-documents. */
export const HEREDOC_INSTRUCTIONS = new Set(['add', 'copy', 'run']);

export type HeredocHeader = Omit<Heredoc, 'content'>;

/**
 * Reads one word as a here-document header. Returns undefined when the word is not one
 * (`<<`, `<<EOF sh`, `<EOF`); throws when it is one with unbalanced quotes (`<<'EOF`).
 */
export function parseHeredocHeader(word: string): HeredocHeader | undefined {
  const match = HEREDOC_WORD.exec(word);
  if (!match || match[3] === '') return undefined;
  const terminator = match[3];
  // The body is expanded unless some part of the terminator was quoted; comparing the word
  // lexed with and without quote removal tells whether it was.
  const words = lexHeredocWord(terminator, false);
  if (words.length !== 1) return undefined;
  const rawWords = lexHeredocWord(terminator, true);
  if (rawWords.length !== words.length) {
    throw syntaxError(`cannot read the here-document terminator ${terminator}`);
  }
  return {
    name: words[0],
    fileDescriptor: match[1] === '' ? 0 : Number.parseInt(match[1], 10),
    chomp: match[2] === '-',
    expand: countQuotes(words[0]) === countQuotes(rawWords[0]),
  };
}

function lexHeredocWord(word: string, rawQuotes: boolean): string[] {
  try {
    return processWords(word, NO_VARIABLES, { rawQuotes, skipUnsetEnv: true });
  } catch (error) {
    if (!(error instanceof DockerfileError)) throw error;
    throw syntaxError(`the here-document terminator ${word} has an unbalanced quote; close the quote`);
  }
}

function countQuotes(word: string): number {
  let count = 0;
  for (const ch of word) if (ch === '"' || ch === "'") count++;
  return count;
}

/**
 * The here-documents a logical line opens, in order. Quoted `"<<EOF"` is not one; the line
 * is lexed with the backslash escape whatever the escape directive says, as BuildKit does.
 */
export function heredocsInLine(line: string): HeredocHeader[] {
  let words: string[];
  try {
    words = processWords(line, NO_VARIABLES, { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  } catch {
    words = [];
  }
  const headers: HeredocHeader[] = [];
  for (const word of words) {
    const header = parseHeredocHeader(word);
    if (header) headers.push(header);
  }
  return headers;
}

/** `<<-` bodies lose the leading tabs of every line. */
export function chompHeredocContent(content: string): string {
  return content.replace(LEADING_TABS, '$1');
}

/** The body as the build sees it: tabs stripped for `<<-`. */
export function heredocBody(heredoc: Heredoc): string {
  return heredoc.chomp ? chompHeredocContent(heredoc.content) : heredoc.content;
}

function syntaxError(message: string): DockerfileError {
  return new DockerfileError(DockerfileErrorCode.Syntax, message);
}
