import { STATUS_CODES } from 'node:http';
import type { HeaderList } from '../proxy-headers';
import type { Http1Request } from './request';

/** What a response needs of its connection. */
export interface ResponseSink {
  /** The socket, for a response that is the one being written (the oldest of a pipeline). */
  write(data: string | Buffer): boolean;
  /** A response's last bytes: nobody waits for them to drain. */
  writeLast(data: Buffer): void;
  cork(): void;
  uncork(): void;
  onceDrain(callback: () => void): void;
  /** Keep-alive responses turn into Connection: close ones (a shutdown is under way). */
  readonly closing: boolean;
  /** `Keep-Alive: timeout=N` and CRLF: how long an idle connection stays open, so a client does not reuse one being closed. */
  readonly keepAliveLine: string;
  responseDone(response: Http1Response): void;
  destroy(): void;
}

/** Told once when its response is over: written whole, or its connection is gone. */
export interface ResponseOwner {
  responseClosed(): void;
}

/** Head and body copied into one buffer up to this size; beyond, the copy costs more than a writev. */
const ONE_WRITE_BYTES = 16 * 1024;
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const statusLines: string[] = [];

function statusLine(status: number): string {
  return (statusLines[status] ??= `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`);
}

function headerList(headers: HeaderList | Record<string, string | number>): HeaderList {
  if (Array.isArray(headers)) return headers;
  const list: HeaderList = [];
  for (const name of Object.keys(headers)) list.push(name, String(headers[name]));
  return list;
}

/**
 * One answer on a client connection: the head built as one string, the body framed for this
 * client (its length, chunked for HTTP/1.1, until the close for HTTP/1.0), head and a body
 * given whole leaving in one write. A response behind another one in a pipeline keeps its
 * output until its turn.
 */
export class Http1Response {
  owner?: ResponseOwner;
  headersSent = false;
  finished = false;
  destroyed = false;
  /** The connection closes once this response is written. */
  closeAfter: boolean;
  private live = false;
  private head = '';
  private chunked = false;
  private bodyless: boolean;
  private pending?: Array<string | Buffer>;
  private drainWaiter?: () => void;

  constructor(
    private readonly sink: ResponseSink,
    readonly request: Http1Request,
  ) {
    this.closeAfter = !request.keepAlive;
    this.bodyless = request.method === 'HEAD';
  }

  writeContinue(): void {
    if (!this.headersSent) this.out(CONTINUE);
  }

  writeHead(status: number, headers: HeaderList | Record<string, string | number>): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const list = headerList(headers);
    let head = statusLine(status);
    let sized = false;
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i];
      if (name.length === 10 && name.toLowerCase() === 'connection') {
        if (list[i + 1].toLowerCase() === 'close') this.closeAfter = true;
        continue;
      }
      if (name.length === 14 && name.toLowerCase() === 'content-length') sized = true;
      head += `${name}: ${list[i + 1]}\r\n`;
    }
    this.head = head + this.framing(status, sized);
  }

  /** A head whose header lines come ready ("Name: value" and CRLF each), hop-by-hop ones out, a Content-Length among them. */
  writeHeadLines(status: number, lines: string): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.head = statusLine(status) + lines + this.framing(status, true);
  }

  /** Transfer-Encoding and Connection for this client. */
  private framing(status: number, sized: boolean): string {
    if (status === 204 || status === 304 || status < 200) this.bodyless = true;
    let head = '';
    if (!this.bodyless && !sized) {
      // No length: HTTP/1.1 clients get chunks, HTTP/1.0 ones a body that ends with the connection.
      if (this.request.httpMinor >= 1) {
        this.chunked = true;
        head += 'Transfer-Encoding: chunked\r\n';
      } else this.closeAfter = true;
    }
    if (this.sink.closing) this.closeAfter = true;
    if (this.closeAfter) return `${head}Connection: close\r\n\r\n`;
    if (this.request.httpMinor === 0) head += 'Connection: keep-alive\r\n';
    return `${head}${this.sink.keepAliveLine}\r\n`;
  }

  /** Sends the head now (a stream's first bytes may be long in coming). */
  flushHeaders(): void {
    const head = this.takeHead();
    if (head !== '') this.out(head);
  }

  /** False: the client is slow; `onDrain` tells when to go on. */
  write(chunk: Buffer): boolean {
    if (this.finished || this.destroyed) return true;
    let prefix = this.takeHead();
    if (this.bodyless || chunk.length === 0) return prefix === '' ? true : this.out(prefix);
    if (this.chunked) prefix += `${chunk.length.toString(16)}\r\n`;
    this.cork();
    this.out(prefix);
    let ok = this.out(chunk);
    if (this.chunked) ok = this.out('\r\n');
    this.uncork();
    return ok;
  }

  end(chunk?: Buffer | string): void {
    if (this.finished || this.destroyed) return;
    this.finished = true;
    if (!this.headersSent) this.writeHead(200, []);
    const head = this.takeHead();
    const body = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (body !== undefined && body.length > 0 && !this.bodyless) this.last(head, body);
    else if (this.chunked) this.out(`${head}0\r\n\r\n`);
    else if (head !== '') this.out(head);
    this.sink.responseDone(this);
    this.close();
  }

  /** The body's last bytes: a small answer leaves as one buffer with its head, in one write. */
  private last(head: string, body: Buffer): void {
    if (!this.chunked && head !== '' && body.length <= ONE_WRITE_BYTES) {
      const whole = Buffer.allocUnsafe(head.length + body.length);
      whole.write(head, 0, 'latin1');
      body.copy(whole, head.length);
      if (this.live) return this.sink.writeLast(whole);
      return void this.out(whole);
    }
    this.cork();
    if (this.chunked) head += `${body.length.toString(16)}\r\n`;
    if (head !== '') this.out(head);
    this.out(body);
    if (this.chunked) this.out('\r\n0\r\n\r\n');
    this.uncork();
  }

  onDrain(callback: () => void): void {
    if (this.live) this.sink.onceDrain(callback);
    else this.drainWaiter = callback;
  }

  /** Cuts the connection (an answer that cannot be completed). */
  destroy(): void {
    if (this.destroyed) return;
    this.sink.destroy();
  }

  /** Its turn in the pipeline: what it kept is written now. */
  activate(): void {
    this.live = true;
    const pending = this.pending;
    this.pending = undefined;
    let ok = true;
    if (pending) {
      this.cork();
      for (const data of pending) ok = this.sink.write(data);
      this.uncork();
    }
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    if (waiter) ok ? process.nextTick(waiter) : this.sink.onceDrain(waiter);
  }

  get isLive(): boolean {
    return this.live;
  }

  /** The connection is gone. */
  lost(): void {
    if (this.finished) return;
    this.destroyed = true;
    this.close();
  }

  private close(): void {
    const owner = this.owner;
    this.owner = undefined;
    owner?.responseClosed();
  }

  private takeHead(): string {
    const head = this.head;
    this.head = '';
    return head;
  }

  private out(data: string | Buffer): boolean {
    if (this.live) return this.sink.write(data);
    (this.pending ??= []).push(data);
    return false;
  }

  private cork(): void {
    if (this.live) this.sink.cork();
  }

  private uncork(): void {
    if (this.live) this.sink.uncork();
  }
}
