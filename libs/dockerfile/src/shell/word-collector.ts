import { isSpace } from './characters';

/**
 * Splits the lexer's output into fields the way BuildKit's processWords does: unquoted
 * blanks (including those coming out of a variable) separate fields, quoted text and escaped
 * characters never do. Empty quoted strings do not make a field on their own.
 */
export class WordCollector {
  private readonly words: string[] = [];
  private current = '';
  private inWord = false;

  addChar(ch: string): void {
    if (!isSpace(ch)) {
      this.addRawChar(ch);
      return;
    }
    if (this.inWord && this.current.length > 0) {
      this.words.push(this.current);
      this.current = '';
      this.inWord = false;
    }
  }

  addRawChar(ch: string): void {
    this.current += ch;
    this.inWord = true;
  }

  addString(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  addRawString(text: string): void {
    this.current += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.current.length > 0) {
      this.words.push(this.current);
      this.current = '';
      this.inWord = false;
    }
    return this.words;
  }
}
