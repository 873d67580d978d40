import http, { IncomingMessage, ServerResponse } from 'node:http';
import { InFlightRequests } from './in-flight';
import { downstreamResponseHeaders, HeaderList, upstreamRequestHeaders } from './proxy-headers';
import { Route, Upstream } from './route-table';

/** Connection errors that mean the request never reached the app: safe to send it elsewhere. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function plain(response: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...extra });
  response.end(body);
}

/** https when the client came over TLS (the router's TLS port hands its requests to the same code). */
export function protocolOf(request: IncomingMessage): 'http' | 'https' {
  return (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
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

/**
 * One client request forwarded to one of a route's instances: body size checked against the
 * app's limit, a request without a body retried once on another instance when the connection
 * to the first failed before any answer, the answer streamed back as it comes.
 */
export class ProxyExchange {
  private upstream!: Upstream;
  private retried = false;
  /** The app began to answer: from then on nothing is retried. */
  private answered = false;
  private counted = false;
  /** Cut by the router itself (body over the limit): the upstream error that follows is expected. */
  private cut = false;
  private outgoing?: http.ClientRequest;
  private untrack?: () => void;

  constructor(
    private readonly route: Route,
    private readonly request: IncomingMessage,
    private readonly response: ServerResponse,
    private readonly deps: { inFlight: InFlightRequests; agent: http.Agent; picker: UpstreamPicker; maxBodyBytes: number },
  ) {}

  start(): void {
    const limit = this.route.maxBodyBytes ?? this.deps.maxBodyBytes;
    const declared = this.request.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) return this.tooLarge(limit);
    const bodyless = (declared === undefined || declared === '0') && this.request.headers['transfer-encoding'] === undefined;
    this.response.once('close', () => this.finish());
    this.send(this.deps.picker.pick(this.route), bodyless && RETRYABLE_METHODS.has(this.request.method ?? ''), limit);
  }

  private send(upstream: Upstream, retryable: boolean, limit: number): void {
    this.upstream = upstream;
    this.deps.inFlight.begin(upstream.port);
    this.counted = true;
    const headers: HeaderList = upstreamRequestHeaders(this.request, protocolOf(this.request));
    const outgoing = http.request({ host: '127.0.0.1', port: upstream.port, method: this.request.method, path: this.request.url, headers, agent: this.deps.agent, setHost: false });
    this.outgoing = outgoing;
    outgoing.on('response', (answer) => this.answer(answer));
    outgoing.on('error', (error: NodeJS.ErrnoException) => this.failed(error, retryable, limit));
    if (retryable) outgoing.end();
    else this.streamBody(outgoing, limit);
  }

  /** Chunked bodies have no length up front: counted as they stream, cut when over the limit. */
  private streamBody(outgoing: http.ClientRequest, limit: number): void {
    if (this.request.headers['content-length'] === undefined) {
      let received = 0;
      const count = (chunk: Buffer) => {
        received += chunk.length;
        if (received <= limit) return;
        this.cut = true;
        this.request.off('data', count);
        this.request.unpipe(outgoing);
        outgoing.destroy();
        if (this.response.headersSent) this.response.destroy();
        else this.tooLarge(limit);
      };
      this.request.on('data', count);
    }
    this.request.pipe(outgoing);
  }

  private answer(answer: IncomingMessage): void {
    this.answered = true;
    const response = this.response;
    response.writeHead(answer.statusCode ?? 502, downstreamResponseHeaders(answer));
    if (answer.headers['content-length'] === undefined) {
      // A stream (server-sent events, long polls): the client sees the head now, each chunk as it comes.
      response.flushHeaders();
      this.untrack = this.deps.inFlight.track(this.upstream.port, { close: () => this.endStream(answer) });
    }
    answer.pipe(response);
    answer.on('error', () => response.destroy());
  }

  /** The drain grace ran out: a chunked stream ends cleanly, so a client (EventSource) reconnects elsewhere. */
  private endStream(answer: IncomingMessage): void {
    answer.unpipe(this.response);
    answer.destroy();
    this.response.end();
  }

  private failed(error: NodeJS.ErrnoException, retryable: boolean, limit: number): void {
    if (this.cut || this.response.destroyed) return;
    if (retryable && !this.retried && !this.answered && !this.response.headersSent && NOT_DELIVERED.has(error.code ?? '')) {
      this.retried = true;
      this.release();
      return this.send(this.deps.picker.pick(this.route, this.upstream), true, limit);
    }
    if (!this.response.headersSent) plain(this.response, 502, `app "${this.route.app}" did not answer\n`);
    else this.response.destroy();
  }

  private tooLarge(limit: number): void {
    // The unread body stays on the connection: it cannot carry another request, so it closes.
    plain(this.response, 413, `request body larger than ${limit} bytes\n`, { connection: 'close' });
  }

  private release(): void {
    if (!this.counted) return;
    this.counted = false;
    this.deps.inFlight.end(this.upstream.port);
  }

  private finish(): void {
    // The client went away mid-answer (or the router ended a stream): the app need not go on.
    if (!this.response.writableFinished) this.outgoing?.destroy();
    this.release();
    this.untrack?.();
    this.untrack = undefined;
  }
}
