import { DockerfileError, DockerfileErrorCode } from '../errors';
import { isSpace, trimLeftSpace } from '../shell/characters';
import type { EscapeToken } from '../shell/shell-lexer';
import { newNode, type AstNode } from './ast';
import { WHITESPACE_RUN } from './split-command';

/**
 * How each instruction's argument text becomes a chain of argument nodes, following BuildKit's
 * line_parsers.go. Quotes are kept here; they are removed later by variable expansion.
 */
export interface ParsedArguments {
  next?: AstNode;
  json: boolean;
}

export type ArgumentParser = (rest: string, escapeToken: EscapeToken) => ParsedArguments;

const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

function chain(values: string[]): AstNode | undefined {
  let head: AstNode | undefined;
  for (let i = values.length - 1; i >= 0; i--) head = newNode(values[i], head);
  return head;
}

function syntaxError(message: string): DockerfileError {
  return new DockerfileError(DockerfileErrorCode.Syntax, message);
}

/** Splits on blanks outside quotes; quotes and escape tokens stay in the words. */
export function parseWords(rest: string, escapeToken: EscapeToken): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let word = '';
  let quote = '';
  let blankOk = false;
  const flush = (): void => {
    if (blankOk || word.length > 0) words.push(word);
    [word, blankOk, quote] = ['', false, ''];
  };
  for (let pos = 0; pos < chars.length; pos++) {
    let ch = chars[pos];
    if (quote === '' && isSpace(ch)) {
      if (word.length > 0 || blankOk) flush();
      continue;
    }
    if (quote === '' && (ch === "'" || ch === '"')) [quote, blankOk] = [ch, true];
    else if (quote !== '' && ch === quote) quote = '';
    else if (ch === escapeToken && quote !== "'") {
      // The escape token is kept with the character it protects; a trailing one is dropped.
      if (pos + 1 === chars.length) {
        quote = '';
        continue;
      }
      word += ch;
      ch = chars[++pos];
    }
    word += ch;
  }
  flush();
  return words;
}

/** ENV and LABEL: `KEY value...` (legacy, one pair) or `k=v k2=v2...`. */
export function parseNameValue(rest: string, escapeToken: EscapeToken, keyword: string): ParsedArguments {
  const words = parseWords(rest, escapeToken);
  if (words.length === 0) return { json: false };
  if (!words[0].includes('=')) return { next: parseLegacyNameValue(rest, keyword), json: false };
  const values: string[] = [];
  for (const word of words) {
    const equals = word.indexOf('=');
    if (equals < 0) {
      throw syntaxError(`${keyword}: can't find = in ${JSON.stringify(word)}; write it as name=value`);
    }
    values.push(word.slice(0, equals), word.slice(equals + 1), '=');
  }
  return { next: chain(values), json: false };
}

function parseLegacyNameValue(rest: string, keyword: string): AstNode | undefined {
  const match = WHITESPACE_RUN.exec(rest);
  if (!match) {
    throw syntaxError(`${keyword} must have two arguments; write ${keyword} ${rest}=<value> (or ${keyword} ${rest} <value>)`);
  }
  return chain([rest.slice(0, match.index), rest.slice(match.index + match[0].length), '']);
}

/** ARG: `name`, `name=value`, several per line. */
export function parseNameOrNameValue(rest: string, escapeToken: EscapeToken): ParsedArguments {
  return { next: chain(parseWords(rest, escapeToken)), json: false };
}

export function parseWhitespaceDelimited(rest: string): ParsedArguments {
  if (rest === '') return { json: false };
  return { next: chain(rest.split(new RegExp(WHITESPACE_RUN.source))), json: false };
}

export function parseWholeString(rest: string): ParsedArguments {
  return { next: rest === '' ? undefined : newNode(rest), json: false };
}

/** Returns undefined when the text is not a JSON array at all (then it is shell form). */
export function parseJsonArray(rest: string): ParsedArguments | undefined {
  const text = trimLeftSpace(rest);
  if (!text.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  if (!parsed.every((item): item is string => typeof item === 'string')) {
    throw syntaxError(`${NOT_STRING_ARRAY}; quote every element`);
  }
  return { next: chain(parsed), json: true };
}

/** RUN, CMD, ENTRYPOINT, SHELL: a JSON array, or the whole text as one shell command. */
export function parseMaybeJson(rest: string): ParsedArguments {
  if (rest === '') return { json: false };
  return parseJsonArray(rest) ?? parseWholeString(rest);
}

/** COPY, ADD, VOLUME: a JSON array, or blank-separated words. */
export function parseMaybeJsonToList(rest: string): ParsedArguments {
  return parseJsonArray(rest) ?? parseWhitespaceDelimited(rest);
}

/** HEALTHCHECK: a type word (CMD, NONE) followed by a command like CMD's. */
export function parseHealthConfig(rest: string): ParsedArguments {
  const chars = Array.from(rest);
  let end = 0;
  while (end < chars.length && !isSpace(chars[end])) end++;
  if (end === 0) return { json: false };
  let start = end;
  while (start < chars.length && isSpace(chars[start])) start++;
  const command = parseMaybeJson(chars.slice(start).join(''));
  return { next: newNode(chars.slice(0, end).join(''), command.next), json: command.json };
}
