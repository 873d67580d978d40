/**
 * Character classes as Go's `unicode` package defines them, because BuildKit's grammar is
 * written in terms of them and JavaScript's `\s` / `\w` differ at the edges.
 */

const LATIN1_SPACES = new Set(['\t', '\n', '\v', '\f', '\r', ' ', '\u0085', '\u00a0']);
const WHITE_SPACE = /^\p{White_Space}$/u;
const LETTER = /^\p{L}$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's unicode.IsSpace. */
export function isSpace(ch: string): boolean {
  if (ch.length === 1 && ch.charCodeAt(0) <= 0xff) return LATIN1_SPACES.has(ch);
  return WHITE_SPACE.test(ch);
}

/** Go's unicode.IsLetter. */
export function isLetter(ch: string): boolean {
  return LETTER.test(ch);
}

/** Go's unicode.IsDigit. */
export function isDigit(ch: string): boolean {
  return DECIMAL_DIGIT.test(ch);
}

/** Go's unicode.IsPrint (the ASCII space is the only printable space). */
export function isPrintable(ch: string): boolean {
  return ch === ' ' || PRINTABLE.test(ch);
}

export function trimLeftSpace(text: string): string {
  let start = 0;
  const chars = Array.from(text);
  while (start < chars.length && isSpace(chars[start])) start++;
  return chars.slice(start).join('');
}

export function trimSpace(text: string): string {
  const chars = Array.from(text);
  let start = 0;
  let end = chars.length;
  while (start < end && isSpace(chars[start])) start++;
  while (end > start && isSpace(chars[end - 1])) end--;
  return chars.slice(start, end).join('');
}
