/**
 * The shell patterns of `${VAR#pattern}`, `${VAR%pattern}` and `${VAR/pattern/replacement}`:
 * `*` is any string, `?` any character, `\` escapes `*`, `?` and `\`. No bracket expressions,
 * as in BuildKit.
 */

const REGEX_SPECIALS = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

export class ShellPatternError extends Error {}

export function shellPatternToRegExp(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const chars = Array.from(pattern);
  let source = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') source += greedy ? '.*' : '.*?';
    else if (ch === '?') source += '.';
    else if (ch === '\\') {
      // `}` and `/` are escaped only so that they do not end the ${...}; they are plain text.
      if (chars[i + 1] === '}' || chars[i + 1] === '/') continue;
      const escaped = chars[++i];
      if (escaped !== '*' && escaped !== '?' && escaped !== '\\') {
        throw new ShellPatternError(`invalid escape '\\${escaped ?? ''}'`);
      }
      source += '\\' + escaped;
    } else if (REGEX_SPECIALS.has(ch)) source += '\\' + ch;
    else source += ch;
  }
  return new RegExp(source, 'u');
}

/** Reverses a pattern while keeping each `\x` escape in front of the character it escapes. */
export function reverseShellPattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last; ) {
    const outIndex = last - i;
    if (chars[i] === '\\' && i !== last) {
      out[outIndex - 1] = chars[i];
      out[outIndex] = chars[i + 1];
      i += 2;
    } else {
      out[outIndex] = chars[i];
      i++;
    }
  }
  return out.join('');
}

function reverseString(text: string): string {
  return Array.from(text).reverse().join('');
}

/** `${VAR#pattern}` (shortest) and `${VAR##pattern}` (longest). */
export function trimShellPrefix(pattern: string, value: string, greedy: boolean): string {
  const match = shellPatternToRegExp(pattern, greedy, true).exec(value);
  return match ? value.slice(match.index + match[0].length) : value;
}

/**
 * `${VAR%pattern}` and `${VAR%%pattern}`. A regular expression cannot find the shortest
 * rightmost match, so both the value and the pattern are reversed into a prefix search.
 */
export function trimShellSuffix(pattern: string, value: string, greedy: boolean): string {
  const trimmed = trimShellPrefix(reverseShellPattern(pattern), reverseString(value), greedy);
  return reverseString(trimmed);
}

/** `${VAR/pattern/replacement}` and `${VAR//pattern/replacement}`. */
export function replaceShellPattern(value: string, pattern: string, replacement: string, all: boolean): string {
  const regex = shellPatternToRegExp(pattern, true, false);
  const expand = (matched: string): string => expandGoTemplate(replacement, matched);
  if (all) return value.replace(new RegExp(regex.source, 'gu'), expand);
  return value.replace(regex, expand);
}

/**
 * BuildKit hands the replacement to Go's ReplaceAllString, which reads `$name` / `${name}`
 * as capture groups. Our patterns have no groups, so only `$0` has a value and `$$` is a `$`.
 */
function expandGoTemplate(template: string, matched: string): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]+))/g, (whole, _all, braced, bare) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare) as string | undefined;
    if (name === undefined || (braced !== undefined && name === '')) return whole;
    return name === '0' ? matched : '';
  });
}
