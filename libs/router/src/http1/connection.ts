import type net from 'node:net';
import { HTTP_METHODS, HTTP_PARSER, Parser } from './parser';
import { Http1Request, RequestSource } from './request';
import { Http1Response, ResponseSink } from './response';
import type { SharedReads } from './shared-reads';
import { writeNow } from './direct-write';
import { readSimpleRequest, SimpleRequest } from './simple-message';

/** What a connection hands its requests to (the router). */
export interface RequestHandler {
  handle(request: Http1Request, response: Http1Response): void;
  /** A protocol upgrade: the socket and the bytes already read after the head are the handler's now. */
  upgrade(request: Http1Request, socket: net.Socket, head: Buffer): void;
}

/** What a connection needs of its server. */
export interface ConnectionHost {
  readonly handler: RequestHandler;
  readonly maxHeaderBytes: number;
  readonly closing: boolean;
  readonly keepAliveLine: string;
  forget(connection: Http1Connection): void;
}

/** Pipelined requests answered at once beyond this many: reading pauses until some are written. */
const MAX_QUEUED = 32;
const PAUSED_BODY = 1;
const PAUSED_QUEUE = 2;
const PAUSED_UPGRADE = 4;

/** Status lines for requests the parser rejects; the connection closes after them. */
function rejection(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  return '400 Bad Request';
}

/** A status and close; what the client still sends is read and dropped, so its close is seen. */
export function rawAnswer(socket: net.Socket, status: string, body = ''): void {
  if (!socket.writable) return void socket.destroy();
  socket.resume();
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * One client connection: llhttp over the socket's 'data' events, requests answered in the order
 * they came (a pipeline), the timestamps the server's timer reads for the header and keep-alive
 * timeouts. Any net.Socket-like duplex will do, a TLS socket too.
 */
export class Http1Connection implements RequestSource, ResponseSink {
  readonly remoteAddress: string;
  readonly encrypted: boolean;
  /** No more requests are read; the socket ends once what is under way is written. */
  ending = false;
  /** When the connection went idle or stopped reading. */
  since = Date.now();
  /** llhttp has begun a message it has not finished: what comes next is its to read. */
  private midMessage = false;
  private readonly parser: Parser;
  private readonly queue: Http1Response[] = [];
  private reading?: Http1Request;
  private upgrading?: Http1Request;
  private partHeaders: string[] = [];
  private partUrl = '';
  private paused = 0;
  /** This connection's X-Forwarded-For/-Proto lines, made once. */
  private forwarded?: string;
  /** An upgrade that came behind pipelined requests: it goes ahead once they are answered. */
  private deferredUpgrade?: () => void;
  private readonly onData = (data: Buffer) => this.received(data);
  private readonly onEnd = () => this.clientEnded();
  private readonly onClose = () => this.closed();
  private readonly onError = () => this.socket.destroy();

  /**
   * `shared`: the socket reads into the shared buffer (shared-reads.ts) and hands its bytes here;
   * without it (a TLS socket) they come as 'data' events.
   */
  constructor(
    readonly socket: net.Socket,
    private readonly host: ConnectionHost,
    private readonly shared?: SharedReads,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.encrypted = (socket as { encrypted?: boolean }).encrypted === true;
    this.parser = this.createParser();
    if (shared) {
      shared.deliver = this.onData;
      socket.resume();
    } else socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private createParser(): Parser {
    const Binding = HTTP_PARSER!;
    const parser = new Binding();
    parser.initialize(Binding.REQUEST, {}, this.host.maxHeaderBytes, 0);
    parser[Binding.kOnMessageBegin] = () => void (this.midMessage = true);
    parser[Binding.kOnHeaders] = (headers: string[], url: string) => {
      for (const item of headers) this.partHeaders.push(item);
      this.partUrl += url;
    };
    parser[Binding.kOnHeadersComplete] = (_major: number, minor: number, headers: string[] | undefined, method: number, url: string | undefined, _s: unknown, _t: unknown, upgrade: boolean, keepAlive: boolean) =>
      this.headComplete(minor, headers, HTTP_METHODS[method] ?? 'GET', url, upgrade, keepAlive);
    parser[Binding.kOnBody] = (chunk: Buffer) => this.reading?.body(chunk);
    parser[Binding.kOnMessageComplete] = () => {
      this.midMessage = false;
      this.messageComplete();
    };
    parser[Binding.kOnExecute] = () => undefined;
    return parser;
  }

  private messageComplete(): void {
    const request = this.reading;
    this.reading = undefined;
    request?.finished();
  }

  private headComplete(minor: number, headers: string[] | undefined, method: string, url: string | undefined, upgrade: boolean, keepAlive: boolean, forwardLines?: string): number {
    if (headers === undefined) [headers, this.partHeaders] = [this.partHeaders, []];
    if (url === undefined) [url, this.partUrl] = [this.partUrl, ''];
    if (this.ending) return 0;
    const request = new Http1Request(this, method, url, headers, minor, keepAlive, forwardLines);
    if (upgrade) {
      this.upgrading = request;
      return 0;
    }
    this.reading = request;
    const response = new Http1Response(this, request);
    this.queue.push(response);
    if (this.queue.length === 1) response.activate();
    else if (this.queue.length >= MAX_QUEUED) this.pause(PAUSED_QUEUE);
    if (minor >= 1 && request.expect?.toLowerCase() === '100-continue') response.writeContinue();
    this.host.handler.handle(request, response);
    return 0;
  }

  private received(data: Buffer): void {
    let at = 0;
    // Whole bodyless requests are read here; the first one that is not (or a part of one) goes to llhttp.
    while (!this.midMessage && !this.ending) {
      const simple = readSimpleRequest(data, at, this.host.maxHeaderBytes);
      if (simple === undefined) break;
      this.simpleRequest(simple);
      if ((at = simple.end) === data.length) return;
    }
    if (this.ending) return;
    const rest = at === 0 ? data : data.subarray(at);
    const result = this.parser.execute(rest);
    if (result instanceof Error) return this.rejected(result as NodeJS.ErrnoException);
    // A copy: the bytes after the head may wait for pipelined answers, and reads may share one buffer.
    if (this.upgrading) this.upgrade(this.upgrading, Buffer.from(rest.subarray(result)));
  }

  private simpleRequest(request: SimpleRequest): void {
    this.headComplete(request.httpMinor, request.headers, request.method, request.url, false, request.keepAlive, request.forwardLines);
    this.messageComplete();
  }

  /** A malformed or oversized request: answered on this connection alone, which then closes. */
  private rejected(error: NodeJS.ErrnoException): void {
    this.stopReading();
    // A response under way cannot be followed by another status line.
    if (this.queue.length > 0) return void this.socket.destroy();
    rawAnswer(this.socket, rejection(error.code));
  }

  /** The server's timer found the request head too slow. */
  headTimedOut(): void {
    this.stopReading();
    if (this.queue.length > 0) return void this.socket.destroy();
    rawAnswer(this.socket, '408 Request Timeout');
  }

  private upgrade(request: Http1Request, head: Buffer): void {
    this.ending = true;
    if (request.method === 'CONNECT') return this.refuseConnect();
    if (this.queue.length > 0) {
      // Pipelined requests before it are answered first; nothing more is read meanwhile.
      this.pause(PAUSED_UPGRADE);
      this.deferredUpgrade = () => this.upgrade(request, head);
      return;
    }
    this.detach();
    this.host.handler.upgrade(request, this.socket, head);
  }

  /** The router is no forward proxy: CONNECT gets 405 (once what came before it is answered). */
  private refuseConnect(): void {
    if (this.queue.length > 0) return void this.socket.destroy();
    this.stopReading();
    rawAnswer(this.socket, '405 Method Not Allowed', 'CONNECT is not supported: this is a reverse proxy for apps\n');
  }

  /** The socket leaves this connection (an upgrade): no listener, parser or server entry remains. */
  private detach(): void {
    this.socket.off('data', this.onData).off('end', this.onEnd).off('close', this.onClose).off('error', this.onError);
    this.shared?.handOver();
    // Bytes after the head wait in the socket until the new owner reads them.
    this.socket.pause();
    this.host.forget(this);
    // Not within execute(): the parser's callbacks have returned by now.
    this.parser.close();
  }

  /** No more requests are read; the server's timer now measures how long the client lingers. */
  private stopReading(): void {
    this.ending = true;
    this.since = Date.now();
  }

  /** Every answer due is written. */
  get answered(): boolean {
    return this.queue.length === 0;
  }

  /**
   * How long the request head being read has taken, or -1 when none is: the parser times its
   * messages itself, so a request costs no timestamp here.
   */
  headMs(): number {
    if (!this.midMessage || this.parser.headersCompleted()) return -1;
    return this.parser.duration();
  }

  /** Nothing under way: a keep-alive connection between requests. */
  get idle(): boolean {
    return this.queue.length === 0 && this.reading === undefined && this.headMs() === -1;
  }

  responseDone(response: Http1Response): void {
    if (this.queue[0] !== response) return; // kept until its turn
    this.queue.shift();
    // Its request's body is not wanted any more: read on (and drop it) even if its reader had paused.
    if (!response.request.complete) this.resume(PAUSED_BODY);
    if (response.closeAfter) return this.finish();
    if (this.queue.length < MAX_QUEUED) this.resume(PAUSED_QUEUE);
    const next = this.queue[0];
    if (next === undefined) {
      this.since = Date.now();
      if (this.deferredUpgrade) return this.takeDeferredUpgrade();
      if (this.ending) this.finish();
      return;
    }
    next.activate();
    if (next.finished) this.responseDone(next);
  }

  private takeDeferredUpgrade(): void {
    const upgrade = this.deferredUpgrade!;
    this.deferredUpgrade = undefined;
    upgrade();
  }

  /** Ends the socket after what was written; requests still queued are dropped. */
  finish(): void {
    this.stopReading();
    this.socket.end();
    for (const response of this.queue.splice(0)) response.lost();
  }

  private clientEnded(): void {
    // The client sent all it will; answers still due are written, then the connection ends.
    this.parser.finish();
    this.stopReading();
    if (this.queue.length === 0) this.socket.end();
  }

  private closed(): void {
    this.ending = true;
    this.host.forget(this);
    for (const response of this.queue.splice(0)) response.lost();
    this.reading = undefined;
    this.parser.close();
  }

  write(data: string | Buffer): boolean {
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  writeLast(data: Buffer): void {
    writeNow(this.socket, data);
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  onceDrain(callback: () => void): void {
    this.socket.once('drain', callback);
  }

  get forwardedLines(): string {
    return (this.forwarded ??= `X-Forwarded-For: ${this.remoteAddress}\r\nX-Forwarded-Proto: ${this.encrypted ? 'https' : 'http'}\r\n`);
  }

  get closing(): boolean {
    return this.host.closing;
  }

  get keepAliveLine(): string {
    return this.host.keepAliveLine;
  }

  destroy(): void {
    this.socket.destroy();
  }

  pauseBody(): void {
    this.pause(PAUSED_BODY);
  }

  resumeBody(): void {
    this.resume(PAUSED_BODY);
  }

  private pause(reason: number): void {
    if (this.paused === 0) this.socket.pause();
    this.paused |= reason;
  }

  private resume(reason: number): void {
    if ((this.paused & reason) === 0) return;
    this.paused &= ~reason;
    if (this.paused === 0) this.socket.resume();
  }
}
