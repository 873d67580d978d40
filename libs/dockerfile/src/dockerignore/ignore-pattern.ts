import { DockerfileError, DockerfileErrorCode } from '../errors';

/**
 * One cleaned .dockerignore pattern compiled the way moby/patternmatcher compiles it:
 * `*` and `?` stay within one path element, `**` spans any number of elements (`**\/` too),
 * `[...]` classes and `\` escapes follow Go's filepath.Match. Plain patterns are compared as
 * strings; `dir/**` and `**\/name` use prefix and suffix tests, the rest a regular expression.
 */
export class IgnorePattern {
  readonly elements: string[];
  private readonly test: (path: string) => boolean;

  constructor(
    readonly pattern: string,
    readonly exclusion: boolean,
  ) {
    assertGlobSyntax(pattern);
    this.elements = pattern.split('/');
    this.test = compile(pattern);
  }

  matches(path: string): boolean {
    return this.test(path);
  }
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

// Characters that are special in a regular expression but not in a filepath pattern.
const REGEX_ONLY_SPECIALS = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);
const JS_SYNTAX_CHARACTERS = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);

function compile(pattern: string): (path: string) => boolean {
  const { source, type } = toRegExpSource(pattern);
  switch (type) {
    case 'exact':
      return (path) => path === pattern;
    case 'prefix':
      return (path) => path.startsWith(pattern.slice(0, -2));
    case 'suffix': {
      const suffix = pattern.slice(2);
      // `**/foo` also matches `foo` at the top.
      return (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp': {
      const regex = toRegExp(source, pattern);
      return (path) => regex.test(path);
    }
  }
}

function toRegExp(source: string, pattern: string): RegExp {
  try {
    return new RegExp(source, 'u');
  } catch (error) {
    throw invalidPattern(pattern, (error as Error).message);
  }
}

function toRegExpSource(pattern: string): { source: string; type: MatchType } {
  const chars = Array.from(pattern);
  let source = '^';
  let type: MatchType = 'exact';
  let inClass = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*' && chars[i + 1] === '*') {
      const atStart = i === 0;
      i++;
      if (chars[i + 1] === '/') i++;
      if (i + 1 < chars.length) [source, type] = [source + '(.*/)?', 'regexp'];
      else if (type === 'exact') type = 'prefix';
      else [source, type] = [source + '.*', 'regexp'];
      // A leading `**` is tested as a suffix unless later wildcards need the expression.
      if (atStart) type = 'suffix';
    } else if (ch === '*') [source, type] = [source + '[^/]*', 'regexp'];
    else if (ch === '?') [source, type] = [source + '[^/]', 'regexp'];
    else if (REGEX_ONLY_SPECIALS.has(ch)) source += '\\' + ch;
    else if (ch === '\\') {
      if (i + 1 < chars.length) [source, type] = [source + escapedLiteral(chars[++i], inClass), 'regexp'];
      else source += '\\\\';
    } else if (ch === '[' || ch === ']') {
      inClass = ch === '[';
      [source, type] = [source + ch, 'regexp'];
    } else source += ch;
  }
  return { source: type === 'regexp' ? source + '$' : source, type };
}

/** A `\x` escape: the character itself, escaped only where JavaScript's `u` mode allows it. */
function escapedLiteral(ch: string, inClass: boolean): string {
  if (JS_SYNTAX_CHARACTERS.has(ch) || (inClass && ch === '-')) return '\\' + ch;
  return /^[A-Za-z0-9]$/.test(ch) ? '\\' + ch : ch;
}

/**
 * The syntax check of Go's filepath.Match: a `\` needs a character after it, a `[` class needs
 * its `]`, ranges need both ends, and `-` or `]` must be escaped where they would be ambiguous.
 */
function assertGlobSyntax(pattern: string): void {
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '\\') {
      if (++i >= chars.length) throw invalidPattern(pattern, 'trailing \\');
    } else if (chars[i] === '[') {
      i = classEnd(chars, i + 1, pattern);
    }
  }
}

/** Checks a character class starting after `[`; returns the index of its `]`. */
function classEnd(chars: readonly string[], start: number, pattern: string): number {
  let i = chars[start] === '^' ? start + 1 : start;
  for (let ranges = 0; ; ranges++) {
    if (chars[i] === ']' && ranges > 0) return i;
    i = classCharEnd(chars, i, pattern);
    if (chars[i] === '-') i = classCharEnd(chars, i + 1, pattern);
  }
}

/** Reads one (possibly escaped) class character at `i`; returns the index after it. */
function classCharEnd(chars: readonly string[], i: number, pattern: string): number {
  if (i >= chars.length || chars[i] === '-' || chars[i] === ']') throw invalidPattern(pattern, 'bad character class');
  if (chars[i] === '\\') i++;
  if (i + 1 >= chars.length) throw invalidPattern(pattern, 'unterminated character class');
  return i + 1;
}

function invalidPattern(pattern: string, reason: string): DockerfileError {
  return new DockerfileError(
    DockerfileErrorCode.InvalidIgnorePattern,
    `.dockerignore: invalid pattern ${JSON.stringify(pattern)} (${reason}); fix or remove the line`,
  );
}
