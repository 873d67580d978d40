import { DEFAULT_DOCKERFILE_NAME, DockerfileErrorCode, errorAt, locateError } from '../errors';
import { trimLeftSpace } from '../shell/characters';
import type { EscapeToken } from '../shell/shell-lexer';
import type { AstNode, AstParseResult, Heredoc, ParseWarning } from './ast';
import { DirectiveReader } from './directives';
import { heredocsInLine, type HeredocHeader } from './heredoc';
import { canContainHeredoc, instructionNode } from './instruction-node';

const BYTE_ORDER_MARK = '\ufeff';

/**
 * Turns Dockerfile text into BuildKit's low-level syntax tree (frontend/dockerfile/parser):
 * parser directives, comments, line continuations, here-documents. It does not judge the
 * instructions themselves; see parseInstructions for that.
 */
export function parseAst(text: string, file: string = DEFAULT_DOCKERFILE_NAME): AstParseResult {
  return new AstParser(text, file).parse();
}

function isComment(line: string): boolean {
  return trimLeftSpace(line).startsWith('#');
}

function trimNewline(line: string): string {
  return line.replace(/[\r\n]+$/, '');
}

function continuationPattern(escapeToken: EscapeToken): RegExp {
  const escape = '\\' + escapeToken;
  // The escape token as the last non-blank character continues the line, unless the token
  // itself is escaped (only recognised when it is not the first character, as in BuildKit).
  return new RegExp(`([^${escape}])${escape}[ \\t]*$|^${escape}[ \\t]*$`);
}

/** Splits text into lines that keep their `\n`, like BuildKit's scanner. */
function splitLines(text: string): string[] {
  const lines: string[] = Array.from(text.match(/[^\n]*\n|[^\n]+$/g) ?? []);
  if (lines.length > 0 && lines[0].startsWith(BYTE_ORDER_MARK)) lines[0] = lines[0].slice(1);
  return lines;
}

class AstParser {
  private readonly lines: string[];
  private readonly directives = new DirectiveReader();
  private readonly warnings: ParseWarning[] = [];
  private lineNumber = 0;

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.lines = splitLines(text);
  }

  parse(): AstParseResult {
    const instructions: AstNode[] = [];
    while (this.lineNumber < this.lines.length) {
      const node = this.readInstruction();
      if (node) instructions.push(node);
    }
    if (instructions.length === 0) {
      throw errorAt(
        { file: this.file, line: Math.max(this.lineNumber, 1) },
        DockerfileErrorCode.Empty,
        'the Dockerfile has no instructions; it needs at least a FROM line',
      );
    }
    return {
      instructions,
      escapeToken: this.directives.escapeToken,
      directives: this.directives.directives,
      warnings: this.warnings,
    };
  }

  /** Reads one logical instruction, or nothing for a blank or comment line. */
  private readInstruction(): AstNode | undefined {
    const first = this.processLine(this.lines[this.lineNumber], true);
    const startLine = this.lineNumber;
    const [text, ended] = this.trimContinuation(first);
    if (ended && text === '') return undefined;
    const line = ended ? text : text + this.readContinuationLines(startLine);
    const node = this.withLocation(startLine, () => instructionNode(line, this.directives.escapeToken));
    if (canContainHeredoc(node) && line.includes('<<')) {
      const headers = this.withLocation(startLine, () => heredocsInLine(line));
      node.heredocs = headers.map((header) => this.readHeredocBody(header, startLine));
    }
    node.startLine = startLine;
    node.endLine = this.lineNumber;
    for (const child of node.next?.children ?? []) [child.startLine, child.endLine] = [startLine, this.lineNumber];
    return node;
  }

  /** Joins the following lines until one does not end with the escape token. */
  private readContinuationLines(startLine: number): string {
    let joined = '';
    let hasEmptyLine = false;
    while (this.lineNumber < this.lines.length) {
      const raw = this.lines[this.lineNumber];
      const content = this.processLine(raw, false);
      // Comment lines and blank lines inside a continuation are skipped, not ending it.
      if (isComment(raw)) continue;
      if (trimLeftSpace(content) === '') {
        hasEmptyLine = true;
        continue;
      }
      const [text, ended] = this.trimContinuation(content);
      joined += text;
      if (ended) break;
    }
    if (hasEmptyLine) {
      this.warnings.push({
        line: startLine,
        message: 'empty continuation line found; BuildKit will reject these in a future release, remove the blank line',
      });
    }
    return joined;
  }

  /** Consumes the body lines of one here-document, up to its terminator line. */
  private readHeredocBody(header: HeredocHeader, startLine: number): Heredoc {
    let content = '';
    while (this.lineNumber < this.lines.length) {
      const raw = this.lines[this.lineNumber++];
      let candidate = trimNewline(raw);
      if (header.chomp) candidate = candidate.replace(/^\t+/, '');
      if (candidate === header.name) return { ...header, content };
      content += raw;
    }
    throw errorAt(
      { file: this.file, line: startLine },
      DockerfileErrorCode.UnterminatedHeredoc,
      `unterminated heredoc: no line "${header.name}" closes the here-document opened here; add it after the body`,
    );
  }

  /** Strips the newline (and, at an instruction start, leading blanks); comments become ''. */
  private processLine(raw: string, stripLeadingSpace: boolean): string {
    let line = trimNewline(raw);
    if (stripLeadingSpace) line = trimLeftSpace(line);
    this.lineNumber++;
    this.withLocation(this.lineNumber, () => this.directives.read(line));
    return isComment(line) ? '' : line;
  }

  private trimContinuation(line: string): [string, boolean] {
    const pattern = continuationPattern(this.directives.escapeToken);
    if (!pattern.test(line)) return [line, true];
    return [line.replace(pattern, '$1'), false];
  }

  private withLocation<T>(line: number, action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw locateError(error, { file: this.file, line });
    }
  }
}
