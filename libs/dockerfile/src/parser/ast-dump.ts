import { isPrintable, trimSpace } from '../shell/characters';
import type { AstNode } from './ast';

/**
 * Prints nodes as BuildKit's Node.Dump does (the `result` files of its parser tests):
 * `(copy ["--from=a"] "src" "dst")`, one instruction per line.
 */
export function dumpAst(instructions: readonly AstNode[]): string {
  return instructions.map((node) => `(${dumpNode(node)})\n`).join('');
}

export function dumpNode(node: AstNode): string {
  let text = node.value.toLowerCase();
  if (node.flags.length > 0) text += ` [${node.flags.map(goQuote).join(' ')}]`;
  for (const child of node.children) text += `(${dumpNode(child)})\n`;
  for (let arg = node.next; arg; arg = arg.next) {
    text += ' ' + (arg.children.length > 0 ? dumpNode(arg) : goQuote(arg.value));
  }
  return trimSpace(text);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's strconv.Quote: printable characters as they are, the rest escaped. */
export function goQuote(text: string): string {
  let quoted = '"';
  for (const ch of text) quoted += SHORT_ESCAPES[ch] ?? (isPrintable(ch) ? ch : escapeCodePoint(ch));
  return quoted + '"';
}

function escapeCodePoint(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x80) return '\\x' + code.toString(16).padStart(2, '0');
  if (code < 0x10000) return '\\u' + code.toString(16).padStart(4, '0');
  return '\\U' + code.toString(16).padStart(8, '0');
}
