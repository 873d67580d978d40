import type { EscapeToken } from '../shell/shell-lexer';
import { isSpace, trimSpace } from '../shell/characters';

/** BuildKit splits on these (not on every Unicode space) between keyword and arguments. */
export const WHITESPACE_RUN = /[\t\v\f\r ]+/;

export interface SplitCommand {
  keyword: string;
  flags: string[];
  args: string;
}

/** Separates `KEYWORD --flag=x --other args...` into its three parts. */
export function splitCommand(line: string, escapeToken: EscapeToken): SplitCommand {
  const trimmed = trimSpace(line);
  const match = WHITESPACE_RUN.exec(trimmed);
  if (!match) return { keyword: trimmed, flags: [], args: '' };
  const keyword = trimmed.slice(0, match.index);
  const rest = trimmed.slice(match.index + match[0].length);
  const { flags, remainder } = extractBuilderFlags(rest, escapeToken);
  return { keyword, flags, args: trimSpace(remainder) };
}

/**
 * Reads the leading words that start with `--` as flags; quotes group and are removed,
 * the escape token escapes. A bare `--` ends the flags and is dropped.
 */
export function extractBuilderFlags(line: string, escapeToken: EscapeToken): { flags: string[]; remainder: string } {
  const chars = Array.from(line);
  const flags: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < chars.length && isSpace(chars[pos])) pos++;
    if (chars[pos] !== '-' || chars[pos + 1] !== '-') return { flags, remainder: chars.slice(pos).join('') };
    const { word, end, quoted } = readFlagWord(chars, pos, escapeToken);
    if (word === '--') return { flags, remainder: chars.slice(end).join('') };
    if (quoted || word.length > 0) flags.push(word);
    pos = end;
  }
}

/** One blank-delimited word starting at `start`; `quoted` tells that `""` was written. */
function readFlagWord(chars: readonly string[], start: number, escapeToken: EscapeToken): { word: string; end: number; quoted: boolean } {
  let word = '';
  let quote = '';
  let quoted = false;
  let pos = start;
  for (; pos < chars.length; pos++) {
    let ch = chars[pos];
    if (quote === '' && isSpace(ch)) break;
    if (quote === '' && (ch === "'" || ch === '"')) {
      [quote, quoted] = [ch, true];
      continue;
    }
    if (quote !== '' && ch === quote) {
      quote = '';
      continue;
    }
    if (ch === escapeToken) {
      // A trailing escape token is dropped (and closes an open quote).
      if (pos + 1 === chars.length) continue;
      ch = chars[++pos];
    }
    word += ch;
  }
  return { word, end: pos, quoted };
}
