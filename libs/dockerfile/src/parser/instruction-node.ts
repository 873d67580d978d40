import type { EscapeToken } from '../shell/shell-lexer';
import { newNode, type AstNode } from './ast';
import { HEREDOC_INSTRUCTIONS } from './heredoc';
import {
  parseHealthConfig,
  parseMaybeJson,
  parseMaybeJsonToList,
  parseNameOrNameValue,
  parseNameValue,
  parseWhitespaceDelimited,
  parseWholeString,
  type ArgumentParser,
  type ParsedArguments,
} from './line-parsers';
import { splitCommand } from './split-command';

const ARGUMENT_PARSERS: Readonly<Record<string, ArgumentParser>> = {
  add: parseMaybeJsonToList,
  arg: parseNameOrNameValue,
  cmd: parseMaybeJson,
  copy: parseMaybeJsonToList,
  entrypoint: parseMaybeJson,
  env: (rest, escapeToken) => parseNameValue(rest, escapeToken, 'ENV'),
  expose: parseWhitespaceDelimited,
  from: parseWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: (rest, escapeToken) => parseNameValue(rest, escapeToken, 'LABEL'),
  maintainer: parseWholeString,
  onbuild: parseSubCommand,
  run: parseMaybeJson,
  shell: parseMaybeJson,
  stopsignal: parseWholeString,
  user: parseWholeString,
  volume: parseMaybeJsonToList,
  workdir: parseWholeString,
};

/**
 * Unknown keywords still become nodes (with one empty argument) at this level, as in BuildKit;
 * the instruction layer is the one that rejects them, with the line number.
 */
const parseUnknown: ArgumentParser = () => ({ next: newNode(''), json: false });

/** Builds the node of one logical line (continuations already joined). */
export function instructionNode(line: string, escapeToken: EscapeToken): AstNode {
  const { keyword, flags, args } = splitCommand(line, escapeToken);
  const parse = ARGUMENT_PARSERS[keyword.toLowerCase()] ?? parseUnknown;
  const parsed = parse(args, escapeToken);
  return { ...newNode(keyword, parsed.next), json: parsed.json, original: line, flags };
}

/** ONBUILD's argument is itself an instruction: `(onbuild (run "echo" "hi"))`. */
function parseSubCommand(rest: string, escapeToken: EscapeToken): ParsedArguments {
  if (rest === '') return { json: false };
  const holder = newNode('');
  holder.children.push(instructionNode(rest, escapeToken));
  return { next: holder, json: false };
}

/** RUN, COPY and ADD in shell form (directly or under ONBUILD) may open here-documents. */
export function canContainHeredoc(node: AstNode): boolean {
  const target = node.value.toLowerCase() === 'onbuild' && node.next?.children[0] ? node.next.children[0] : node;
  return HEREDOC_INSTRUCTIONS.has(target.value.toLowerCase()) && !target.json;
}
