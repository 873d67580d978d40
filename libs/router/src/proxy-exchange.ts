import type { Http1Request } from './http1/request';
import type { Http1Response, ResponseOwner } from './http1/response';
import { InFlightRequests } from './in-flight';
import { downstreamResponseHeaders, headerValue, upstreamRequestHeaders } from './proxy-headers';
import { Route, Upstream } from './route-table';
import { UpstreamConnection, UpstreamListener, UpstreamPool } from './upstream-pool';

/** Connection errors that mean the request never reached the app: safe to send it elsewhere. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);
const CRLF = Buffer.from('\r\n');
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

let dateSecond = 0;
let dateText = '';

/** The Date header of the router's own answers (apps' answers carry theirs), made once a second. */
function httpDate(): string {
  const now = Date.now();
  if (now - dateSecond >= 1000) {
    dateSecond = now - (now % 1000);
    dateText = new Date(dateSecond).toUTCString();
  }
  return dateText;
}

/** The router's own short answers; `extra` is a flat header list. */
export function plain(response: Http1Response, status: number, body: string, extra: string[] = []): void {
  const bytes = Buffer.from(body);
  response.writeHead(status, ['Date', httpDate(), 'Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(bytes.length), ...extra]);
  response.end(bytes);
}

/** https when the client came over TLS (the router's TLS port hands its requests to the same code). */
export function protocolOf(request: { encrypted: boolean }): 'http' | 'https' {
  return request.encrypted ? 'https' : 'http';
}

/** Round robin over a route's upstreams; `avoid` is skipped when there is another one. */
export class UpstreamPicker {
  private next = 0;

  pick(route: Route, avoid?: Upstream): Upstream {
    const upstreams = route.upstreams;
    let upstream = upstreams[this.next++ % upstreams.length];
    if (this.next > 0x3fffffff) this.next = 0;
    if (upstream === avoid && upstreams.length > 1) upstream = upstreams[this.next++ % upstreams.length];
    return upstream;
  }
}

export interface ExchangeDeps {
  inFlight: InFlightRequests;
  pool: UpstreamPool;
  picker: UpstreamPicker;
  maxBodyBytes: number;
}

/**
 * One client request forwarded to one of a route's instances: body size checked against the
 * app's limit, a request without a body retried once on another instance when the connection
 * to the first failed before any answer, the answer streamed back as it comes.
 */
export class ProxyExchange implements UpstreamListener, ResponseOwner {
  private upstream!: Upstream;
  private connection?: UpstreamConnection;
  private retryable = false;
  private retried = false;
  private counted = false;
  private untrack?: () => void;
  private readonly limit: number;
  /** The answer's Content-Length (NaN for a stream). */
  private length = NaN;
  private held?: Buffer;

  constructor(
    private readonly route: Route,
    private readonly request: Http1Request,
    private readonly response: Http1Response,
    private readonly deps: ExchangeDeps,
  ) {
    this.limit = route.maxBodyBytes ?? deps.maxBodyBytes;
  }

  start(): void {
    const declared = this.request.contentLength;
    if (declared !== undefined && Number(declared) > this.limit) return this.tooLarge();
    const bodyless = (declared === undefined || declared === '0') && this.request.transferEncoding === undefined;
    this.retryable = bodyless && RETRYABLE_METHODS.has(this.request.method);
    this.response.owner = this;
    this.send(this.deps.picker.pick(this.route), bodyless);
  }

  private send(upstream: Upstream, bodyless: boolean): void {
    this.upstream = upstream;
    this.deps.inFlight.begin(upstream.port);
    this.counted = true;
    const connection = this.deps.pool.acquire(upstream.port);
    this.connection = connection;
    connection.start(this, this.requestHead(bodyless), { headRequest: this.request.method === 'HEAD', bodyFollows: !bodyless });
    if (!bodyless) this.streamBody(connection);
  }

  private requestHead(bodyless: boolean): string {
    const lines = this.request.forwardLines;
    if (bodyless && lines !== undefined) {
      // The client's lines as they came, less Connection/Keep-Alive (simple-message.ts), then the router's own.
      return `${this.request.method} ${this.request.url} HTTP/1.1\r\n${lines}${this.request.forwardedLines}X-Forwarded-Host: ${this.request.host ?? ''}\r\n\r\n`;
    }
    const headers = upstreamRequestHeaders(this.request.headers, this.request.remoteAddress, protocolOf(this.request));
    let head = `${this.request.method} ${this.request.url} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    // Transfer-Encoding is hop-by-hop: a body of unknown length is chunked again on this hop.
    if (!bodyless && this.request.contentLength === undefined) head += 'Transfer-Encoding: chunked\r\n';
    return `${head}\r\n`;
  }

  /** The body as it comes (re-chunked when it had no length), counted against the app's limit. */
  private streamBody(connection: UpstreamConnection): void {
    const chunked = this.request.contentLength === undefined;
    let received = 0;
    let stopped = false;
    this.request.readBody({
      data: (chunk: Buffer) => {
        if (stopped || this.connection !== connection) return;
        received += chunk.length;
        if (received > this.limit) {
          stopped = true;
          return this.cut();
        }
        if (chunked) connection.write(`${chunk.length.toString(16)}\r\n`);
        if (!connection.write(chunked ? Buffer.concat([chunk, CRLF]) : chunk)) {
          this.request.pause();
          connection.socket.once('drain', () => this.request.resume());
        }
      },
      end: () => {
        if (stopped || this.connection !== connection) return;
        if (chunked) connection.write('0\r\n\r\n');
        connection.requestSent();
      },
    });
  }

  head(status: number, headers: string[]): void {
    const response = this.response;
    response.writeHead(status, downstreamResponseHeaders(headers));
    const length = headerValue(headers, 'content-length');
    this.length = this.request.method === 'HEAD' ? NaN : Number(length);
    if (length === undefined && this.request.method !== 'HEAD') {
      // A stream (server-sent events, long polls): the client sees the head now, each chunk as it comes.
      response.flushHeaders();
      this.untrack = this.deps.inFlight.track(this.upstream.port, { close: () => this.endStream() });
    }
  }

  simpleHead(status: number, lines: string, length: number): void {
    this.response.writeHeadLines(status, lines);
    this.length = length;
  }

  body(chunk: Buffer): boolean {
    // A whole body in one chunk (most small answers): the message ends right after it, so head
    // and body leave in one end() rather than a write() and an end().
    if (chunk.length === this.length) {
      this.held = chunk;
      return true;
    }
    if (this.response.write(chunk)) return true;
    this.response.onDrain(() => this.connection?.resume());
    return false;
  }

  end(): void {
    this.connection = undefined;
    const held = this.held;
    this.held = undefined;
    this.response.end(held);
  }

  error(error: NodeJS.ErrnoException, answered: boolean): void {
    this.connection = undefined;
    if (this.response.destroyed) return;
    if (this.retryable && !this.retried && !answered && NOT_DELIVERED.has(error.code ?? '')) {
      this.retried = true;
      this.release();
      return this.send(this.deps.picker.pick(this.route, this.upstream), true);
    }
    if (!this.response.headersSent) plain(this.response, 502, `app "${this.route.app}" did not answer\n`, ['Connection', 'close']);
    else this.response.destroy();
  }

  /** The drain grace ran out: a chunked stream ends cleanly, so a client (EventSource) reconnects elsewhere. */
  private endStream(): void {
    this.connection?.abort();
    this.connection = undefined;
    this.response.end();
  }

  /** Body over the limit while streaming: the app's connection is dropped, the client told 413. */
  private cut(): void {
    this.connection?.abort();
    this.connection = undefined;
    if (this.response.headersSent) this.response.destroy();
    else this.tooLarge();
  }

  private tooLarge(): void {
    // The unread body stays on the connection: it cannot carry another request, so it closes.
    plain(this.response, 413, `request body larger than ${this.limit} bytes\n`, ['Connection', 'close']);
  }

  private release(): void {
    if (!this.counted) return;
    this.counted = false;
    this.deps.inFlight.end(this.upstream.port);
  }

  /** The answer is written, or the client went away. */
  responseClosed(): void {
    // The client went away mid-answer: the app need not go on, and that connection is not reused.
    this.connection?.abort();
    this.connection = undefined;
    this.release();
    this.untrack?.();
    this.untrack = undefined;
  }
}
