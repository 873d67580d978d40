import { DockerfileError, DockerfileErrorCode } from '../errors';
import { isDigit, isLetter } from './characters';
import { replaceShellPattern, ShellPatternError, trimShellPrefix, trimShellSuffix } from './shell-pattern';
import { WordCollector } from './word-collector';

/**
 * Variable expansion and word splitting with the rules of BuildKit's shell lexer
 * (frontend/dockerfile/shell/lex.go): quotes, the escape token, `$VAR`, `${VAR}` and the
 * `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`, `${VAR:?x}`, `${VAR?x}`, `${VAR#x}`,
 * `${VAR##x}`, `${VAR%x}`, `${VAR%%x}`, `${VAR/x/y}`, `${VAR//x/y}` forms.
 */

export type EscapeToken = '\\' | '`';

/** The variables a word is expanded against. Keys are case-sensitive, as on Linux. */
export type Environment = ReadonlyMap<string, string>;

export interface ShellLexerOptions {
  escapeToken?: EscapeToken;
  /** Keep quote characters in the output (quotes still group words). */
  rawQuotes?: boolean;
  /** Keep escape tokens in the output (they still escape). */
  rawEscapes?: boolean;
  /** Leave references to unset variables as they were written. */
  skipUnsetEnv?: boolean;
  /** Treat quotes as ordinary characters (used for heredoc contents). */
  skipProcessQuotes?: boolean;
}

export interface WordExpansion {
  /** The word after expansion and quote removal. */
  value: string;
  /** The word split into fields, as `processWords` does. */
  words: string[];
  /** Variables that were looked up and set: BuildKit puts these in the cache key. */
  used: Set<string>;
  /** Variables that were looked up and not set. */
  unset: Set<string>;
}

const EOF = '';

/** Variables a shell may define that a Dockerfile never sets: `$@`, `$*`, `$#`, ... */
const SPECIAL_PARAMETERS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

export function expandWord(word: string, env: Environment, options: ShellLexerOptions = {}): WordExpansion {
  const lexer = new ShellWordLexer(word, env, options);
  try {
    const { result, words } = lexer.processUntil(EOF, options.rawEscapes ?? false);
    return { value: result, words, used: lexer.used, unset: lexer.unset };
  } catch (error) {
    if (!(error instanceof LexError)) throw error;
    throw new DockerfileError(DockerfileErrorCode.Expansion, `failed to process ${JSON.stringify(word)}: ${error.message}`);
  }
}

/** BuildKit's ProcessWord: one word out, spaces between words kept. */
export function processWord(word: string, env: Environment, options: ShellLexerOptions = {}): string {
  return expandWord(word, env, options).value;
}

/** BuildKit's ProcessWords: the word split into fields after expansion. */
export function processWords(word: string, env: Environment, options: ShellLexerOptions = {}): string[] {
  return expandWord(word, env, options).words;
}

/** Every variable a word refers to, set or not (e.g. to decide what goes in a cache key). */
export function variablesInWord(word: string, escapeToken: EscapeToken = '\\'): Set<string> {
  return expandWord(word, new Map(), { escapeToken, skipUnsetEnv: true }).unset;
}

class LexError extends Error {}

class ShellWordLexer {
  readonly used = new Set<string>();
  readonly unset = new Set<string>();
  private readonly chars: string[];
  private position = 0;
  private rawEscapes: boolean;
  private readonly escapeToken: EscapeToken;

  constructor(
    source: string,
    private readonly env: Environment,
    private readonly options: ShellLexerOptions,
  ) {
    this.chars = Array.from(source);
    this.rawEscapes = options.rawEscapes ?? false;
    this.escapeToken = options.escapeToken ?? '\\';
  }

  private peek(): string {
    return this.chars[this.position] ?? EOF;
  }

  private next(): string {
    const ch = this.peek();
    if (ch !== EOF) this.position++;
    return ch;
  }

  /** Reads up to `stopChar` (consumed) or the end of input when `stopChar` is EOF. */
  processUntil(stopChar: string, rawEscapes: boolean): { result: string; words: string[] } {
    const savedRawEscapes = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      return this.scanUntil(stopChar);
    } finally {
      this.rawEscapes = savedRawEscapes;
    }
  }

  private scanUntil(stopChar: string): { result: string; words: string[] } {
    let result = '';
    const words = new WordCollector();
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (stopChar !== EOF && ch === stopChar) {
        this.next();
        return { result, words: words.finish() };
      }
      const special = this.processSpecial(ch);
      if (special !== undefined) {
        result += special;
        if (ch === '$') words.addString(special);
        else words.addRawString(special);
        continue;
      }
      result += this.processPlain(words);
    }
    if (stopChar !== EOF) {
      throw new LexError(`unexpected end of statement while looking for matching ${stopChar}`);
    }
    return { result, words: words.finish() };
  }

  private processSpecial(ch: string): string | undefined {
    if (ch === '$') return this.processDollar();
    if (ch === '<') return this.processPossibleHeredoc();
    if (this.options.skipProcessQuotes) return undefined;
    if (ch === "'") return this.processSingleQuote();
    if (ch === '"') return this.processDoubleQuote();
    return undefined;
  }

  /** An ordinary character, or an escape token and the character it escapes. */
  private processPlain(words: WordCollector): string {
    const ch = this.next();
    if (ch !== this.escapeToken) {
      words.addChar(ch);
      return ch;
    }
    let text = '';
    if (this.rawEscapes) {
      words.addRawChar(ch);
      text += ch;
    }
    // A trailing escape token escapes nothing and disappears.
    const escaped = this.next();
    if (escaped === EOF) return text;
    words.addRawChar(escaped);
    return text + escaped;
  }

  private processSingleQuote(): string {
    const raw = this.options.rawQuotes ?? false;
    const opening = this.next();
    let result = raw ? opening : '';
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return raw ? result + ch : result;
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    const raw = this.options.rawQuotes ?? false;
    const opening = this.next();
    let result = raw ? opening : '';
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        return raw ? result + ch : result;
      }
      result += ch === '$' ? this.processDollar() : this.processDoubleQuotedChar();
    }
  }

  /** Inside double quotes the escape token only escapes `"`, `$` and itself. */
  private processDoubleQuotedChar(): string {
    let ch = this.next();
    if (ch !== this.escapeToken) return ch;
    const prefix = this.rawEscapes ? ch : '';
    const following = this.peek();
    if (following === EOF) return prefix;
    if (following === '"' || following === '$' || following === this.escapeToken) ch = this.next();
    return prefix + ch;
  }

  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    // The terminator word may be separated from `<<` by blanks; keep them in the same word.
    let spaces = '';
    while (this.peek() === '\t' || this.peek() === '\r' || this.peek() === ' ') spaces += this.next();
    return '<<' + spaces;
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== '{') return this.processBareVariable();
    this.next();
    const first = this.peek();
    if (first === EOF) throw new LexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution');
    const name = this.processName();
    const modifier = this.next();
    if (modifier === '}') {
      const value = this.lookup(name);
      if (value === undefined && this.options.skipUnsetEnv) return '${' + name + '}';
      return value ?? '';
    }
    if (modifier === '/') return this.processReplacement(name);
    if (modifier === ':') return this.processModifier(name, ':' + this.next(), true);
    return this.processModifier(name, modifier, false);
  }

  private processBareVariable(): string {
    const name = this.processName();
    if (name === '') return '$';
    const value = this.lookup(name);
    if (value === undefined && this.options.skipUnsetEnv) return '$' + name;
    return value ?? '';
  }

  /** `${name<modifier>word}` where modifier is one of - + ? # % (optionally after `:`). */
  private processModifier(name: string, modifier: string, nullIsUnset: boolean): string {
    const operator = modifier[modifier.length - 1];
    const isTrim = operator === '#' || operator === '%';
    if (!['-', '+', '?', '#', '%'].includes(operator) && !nullIsUnset) {
      throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    }
    if (nullIsUnset && isTrim) throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    const word = this.processNested('}', isTrim, "syntax error: missing '}'");
    const value = this.lookup(name);
    if (value === undefined && this.options.skipUnsetEnv) return '${' + name + modifier + word + '}';
    const isUnset = value === undefined || (nullIsUnset && value === '');
    switch (operator) {
      case '-':
        return isUnset ? word : (value ?? '');
      case '+':
        return isUnset ? '' : word;
      case '?':
        return this.requireSet(name, value, nullIsUnset, word);
      case '#':
      case '%':
        return this.trimValue(operator, word, value ?? '');
      default:
        throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  private requireSet(name: string, value: string | undefined, nullIsUnset: boolean, message: string): string {
    if (value === undefined) throw new LexError(`${name}: ${message || 'is not allowed to be unset'}`);
    if (nullIsUnset && value === '') throw new LexError(`${name}: ${message || 'is not allowed to be empty'}`);
    return value;
  }

  private trimValue(operator: '#' | '%', word: string, value: string): string {
    const greedy = word.startsWith(operator);
    const pattern = greedy ? word.slice(1) : word;
    try {
      return operator === '%' ? trimShellSuffix(pattern, value, greedy) : trimShellPrefix(pattern, value, greedy);
    } catch (error) {
      throw this.patternError(pattern, error);
    }
  }

  private processReplacement(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    const pattern = this.processNested('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.processNested('}', true, "syntax error: missing '}'");
    const value = this.lookup(name);
    if (value === undefined && this.options.skipUnsetEnv) return '${' + name + '/' + pattern + '/' + replacement + '}';
    try {
      return replaceShellPattern(value ?? '', pattern, replacement, all);
    } catch (error) {
      throw this.patternError(pattern, error);
    }
  }

  private patternError(pattern: string, error: unknown): Error {
    if (!(error instanceof ShellPatternError) && !(error instanceof SyntaxError)) return error as Error;
    return new LexError(`invalid pattern (${pattern}) in substitution: ${error.message}`);
  }

  private processNested(stopChar: string, rawEscapes: boolean, endOfInputMessage: string): string {
    try {
      return this.processUntil(stopChar, rawEscapes).result;
    } catch (error) {
      if (error instanceof LexError && this.peek() === EOF) throw new LexError(endOfInputMessage);
      throw error;
    }
  }

  /** A name is letters, digits and `_`; a leading digit or a special parameter ends it at once. */
  private processName(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name === '' && isDigit(ch)) {
        while (this.peek() !== EOF && isDigit(this.peek())) name += this.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMETERS.has(ch)) return this.next();
      if (!isLetter(ch) && !isDigit(ch) && ch !== '_') break;
      name += this.next();
    }
    return name;
  }

  private lookup(name: string): string | undefined {
    const value = this.env.get(name);
    if (value === undefined) this.unset.add(name);
    else this.used.add(name);
    return value;
  }
}

