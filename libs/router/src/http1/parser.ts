/**
 * Node's own HTTP/1.1 parser (llhttp) as node:http uses it, for the router's client side
 * (http1/connection.ts) and its upstream pool alike. Deprecated for userland (DEP0111) but
 * stable in Node 20-24; undefined when a Node no longer exposes it.
 */

export interface ParserBinding {
  new (): Parser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
}

export interface Parser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
  /** Milliseconds since the current message began (or the parser was initialized). */
  duration(): number;
  /** The current message's head is complete. */
  headersCompleted(): boolean;
  [key: number]: unknown;
}

interface Binding {
  HTTPParser: ParserBinding;
  methods: string[];
}

const BINDING: Binding | undefined = (() => {
  try {
    const emit = process.emitWarning;
    // Keep DEP0111's warning out of the logs.
    process.emitWarning = () => undefined;
    try {
      return (process as unknown as { binding(name: string): Binding }).binding('http_parser');
    } finally {
      process.emitWarning = emit;
    }
  } catch {
    return undefined;
  }
})();

export const HTTP_PARSER: ParserBinding | undefined = BINDING?.HTTPParser;
/** Method names by llhttp's method number. */
export const HTTP_METHODS: string[] = BINDING?.methods ?? [];
