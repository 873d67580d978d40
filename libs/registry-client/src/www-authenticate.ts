/** One challenge of a WWW-Authenticate header: `Bearer realm="...",service="..."`. */
export interface AuthChallenge {
  /** Lowercase: `bearer`, `basic`. */
  scheme: string;
  /** Parameter names lowercased; values unquoted and unescaped. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const SPACE = /[ \t]*/y;
const QUOTED = /"((?:[^"\\]|\\.)*)"/y;
/** Unquoted values should be tokens, but realms are URLs and some servers send them bare. */
const BARE_VALUE = /[^,\s"]+/y;
/** RFC 7235 token68, e.g. `Negotiate abc123==`: a credential blob, not parameters. */
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))/y;

/** A cursor over the header; the sticky regexes above all match at its position. */
class Scanner {
  position = 0;

  constructor(readonly text: string) {}

  match(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.position;
    const found = pattern.exec(this.text);
    if (found) this.position = pattern.lastIndex;
    return found;
  }

  skipSpace(): void {
    this.match(SPACE);
  }

  peek(): string {
    return this.text[this.position] ?? '';
  }

  /** Consumes `name =` if it is next; otherwise leaves the position alone. */
  paramName(): string | null {
    const start = this.position;
    const name = this.match(TOKEN);
    this.skipSpace();
    if (name && this.peek() === '=') {
      this.position += 1;
      this.skipSpace();
      return name[0].toLowerCase();
    }
    this.position = start;
    return null;
  }

  value(): string {
    const quoted = this.match(QUOTED);
    if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
    return this.match(BARE_VALUE)?.[0] ?? '';
  }
}

/**
 * Parses RFC 7235 challenges. Registries send one (`Bearer ...` or `Basic realm=...`), but a
 * header may carry several, and values may be quoted strings with commas and escapes in them.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const scanner = new Scanner(header);
  const challenges: AuthChallenge[] = [];
  for (;;) {
    scanner.match(/[\s,]*/y);
    const scheme = scanner.match(TOKEN);
    if (!scheme) break;
    const challenge: AuthChallenge = { scheme: scheme[0].toLowerCase(), params: {} };
    challenges.push(challenge);
    scanner.skipSpace();
    readParams(scanner, challenge.params);
  }
  return challenges;
}

function readParams(scanner: Scanner, params: Record<string, string>): void {
  if (scanner.match(TOKEN68)) return; // not used by registries; skipped
  for (;;) {
    const name = scanner.paramName();
    if (name === null) return;
    params[name] = scanner.value();
    scanner.skipSpace();
    if (scanner.peek() !== ',') return;
    scanner.position += 1;
    scanner.match(/[\s,]*/y);
    const mark = scanner.position;
    const nextIsParam = scanner.paramName() !== null;
    scanner.position = mark;
    if (!nextIsParam) return; // the next token starts a new challenge
  }
}
