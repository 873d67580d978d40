import { DockerfileError, DockerfileErrorCode } from '../errors';
import type { EscapeToken } from '../shell/shell-lexer';
import { trimLeftSpace } from '../shell/characters';
import type { ParserDirectives } from './ast';

// Go's RE2 `\s` is [\t\n\f\r ], narrower than JavaScript's.
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const KNOWN_DIRECTIVES = new Set<keyof ParserDirectives>(['syntax', 'escape', 'check']);

/**
 * Parser directives (`# escape=`, `# syntax=`, `# check=`) are only recognised in the
 * comment lines at the very top of the file: the first line that is anything else (an
 * instruction, a blank line, an ordinary comment) ends the directive section for good.
 */
export class DirectiveReader {
  readonly directives: ParserDirectives = {};
  private escape: EscapeToken = '\\';
  private done = false;

  get escapeToken(): EscapeToken {
    return this.escape;
  }

  /** Looks at one physical line; returns true when it was a directive. */
  read(line: string): boolean {
    if (this.done) return false;
    if (!line.startsWith('#')) return this.finish();
    const match = DIRECTIVE.exec(trimLeftSpace(line.slice(1)));
    if (!match) return this.finish();
    const name = match[1].toLowerCase() as keyof ParserDirectives;
    if (!KNOWN_DIRECTIVES.has(name)) return this.finish();
    if (this.directives[name] !== undefined) {
      throw new DockerfileError(
        DockerfileErrorCode.InvalidDirective,
        `only one ${name} parser directive can be used; remove the repeated "# ${name}=" line`,
      );
    }
    this.directives[name] = match[2];
    if (name === 'escape') this.setEscape(match[2]);
    return true;
  }

  private setEscape(value: string): void {
    if (value !== '\\' && value !== '`') {
      throw new DockerfileError(
        DockerfileErrorCode.InvalidDirective,
        `invalid escape token '${value}'; the escape directive accepts only \\ or \``,
      );
    }
    this.escape = value;
  }

  private finish(): false {
    this.done = true;
    return false;
  }
}
