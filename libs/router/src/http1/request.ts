import type { HeaderList } from '../proxy-headers';

/** Where a request's body goes as it is parsed; a request nobody reads has its body dropped. */
export interface BodySink {
  data(chunk: Buffer): void;
  end(): void;
}

/** What a request needs of its connection: backpressure on the body, the client's address. */
export interface RequestSource {
  readonly remoteAddress: string;
  readonly encrypted: boolean;
  /** `X-Forwarded-For: ADDRESS` and `X-Forwarded-Proto: PROTO` lines for this connection's requests. */
  readonly forwardedLines: string;
  pauseBody(): void;
  resumeBody(): void;
}

/**
 * One parsed request head. The headers stay a flat `[name, value, ...]` list as llhttp gave
 * them; the few the router decides on are picked out once here.
 */
export class Http1Request {
  host?: string;
  contentLength?: string;
  transferEncoding?: string;
  expect?: string;
  readonly remoteAddress: string;
  readonly encrypted: boolean;
  /** The whole message (head and body) has been parsed. */
  complete = false;
  private sink?: BodySink;

  constructor(
    private readonly source: RequestSource,
    readonly method: string,
    readonly url: string,
    readonly headers: HeaderList,
    /** 0 for an HTTP/1.0 client, 1 for HTTP/1.1. */
    readonly httpMinor: number,
    readonly keepAlive: boolean,
    /** The header lines to pass on as they came (simple-message.ts), when the head allows it. */
    readonly forwardLines?: string,
  ) {
    this.remoteAddress = source.remoteAddress;
    this.encrypted = source.encrypted;
    for (let i = 0; i < headers.length; i += 2) this.pick(headers[i], headers[i + 1]);
  }

  private pick(name: string, value: string): void {
    // Lengths first: most names are none of these and cost no lower-casing.
    switch (name.length) {
      case 4:
        if (this.host === undefined && name.toLowerCase() === 'host') this.host = value;
        return;
      case 6:
        if (name.toLowerCase() === 'expect') this.expect = value;
        return;
      case 14:
        if (name.toLowerCase() === 'content-length') this.contentLength = value;
        return;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') this.transferEncoding = value;
        return;
    }
  }

  get forwardedLines(): string {
    return this.source.forwardedLines;
  }

  /** Body chunks from now on go to `sink` (an already complete request ends it at once). */
  readBody(sink: BodySink): void {
    if (this.complete) return sink.end();
    this.sink = sink;
  }

  pause(): void {
    this.source.pauseBody();
  }

  resume(): void {
    this.source.resumeBody();
  }

  /** From the parser. */
  body(chunk: Buffer): void {
    this.sink?.data(chunk);
  }

  /** From the parser. */
  finished(): void {
    this.complete = true;
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
  }
}
