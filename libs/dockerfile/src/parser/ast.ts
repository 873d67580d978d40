import type { EscapeToken } from '../shell/shell-lexer';

/** A here-document attached to RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`). */
export interface Heredoc {
  /** The terminator word with quotes removed, e.g. `EOF`. */
  name: string;
  /** The file descriptor before `<<` (0 when none was written). */
  fileDescriptor: number;
  /** False when any part of the terminator was quoted: the body must not be expanded. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from the body lines and the terminator line. */
  chomp: boolean;
  /** The body as written (tabs not yet stripped), each line with its newline. */
  content: string;
}

/**
 * One node of BuildKit's low-level syntax tree. An instruction is a node whose `value` is the
 * instruction keyword as written; its arguments follow as a chain of `next` nodes. ONBUILD
 * is the only instruction whose argument node has `children` (the nested instruction).
 */
export interface AstNode {
  value: string;
  next?: AstNode;
  children: AstNode[];
  heredocs: Heredoc[];
  /** The arguments were written as a JSON array (exec form). */
  json: boolean;
  /** The logical line as BuildKit sees it: continuations joined, comments dropped. */
  original: string;
  /** `--name=value` / `--name` flags written before the arguments. */
  flags: string[];
  /** 1-based lines of the first and last physical line, heredoc bodies included. */
  startLine: number;
  endLine: number;
}

export interface ParserDirectives {
  syntax?: string;
  escape?: string;
  check?: string;
}

export interface ParseWarning {
  line: number;
  message: string;
}

export interface AstParseResult {
  /** The instructions in file order. */
  instructions: AstNode[];
  escapeToken: EscapeToken;
  directives: ParserDirectives;
  warnings: ParseWarning[];
}

export function newNode(value: string, next?: AstNode): AstNode {
  return { value, next, children: [], heredocs: [], json: false, original: '', flags: [], startLine: 0, endLine: 0 };
}

/** The argument values of an instruction node, in order (BuildKit's nodeArgs). */
export function nodeArguments(node: AstNode): string[] {
  const args: string[] = [];
  for (let arg = node.next; arg; arg = arg.next) {
    if (arg.children.length === 0) args.push(arg.value);
    else if (arg.children.length === 1) args.push(arg.children[0].value, ...nodeArguments(arg.children[0]));
  }
  return args;
}
