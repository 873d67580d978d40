import net from 'node:net';
import { HTTP_PARSER, Parser } from './http1/parser';
import { readSimpleResponse, SimpleResponse } from './http1/simple-message';
import { writeNow } from './http1/direct-write';
import { READ_BUFFER } from './http1/shared-reads';

export { HTTP_PARSER };

/**
 * Keep-alive HTTP/1.1 connections to app instances, with Node's own parser (llhttp) on each.
 * Why not http.request + Agent: per request they build a ClientRequest, an IncomingMessage and
 * a pipe, attach and detach a dozen listeners; on the bench that was three quarters of the
 * router's time (a plain Node http server answers ~60k req/s here, the proxy through
 * http.request ~15k). Here a request is one string written to a pooled socket and the parser's
 * callbacks feed the client's response directly.
 */

/** What one exchange hears from its upstream connection. */
export interface UpstreamListener {
  head(status: number, headers: string[]): void;
  /**
   * The head of a simple response (http1/simple-message.ts): header lines ready for the client
   * (hop-by-hop ones out), with a Content-Length of `length`; its body follows in one piece.
   */
  simpleHead(status: number, lines: string, length: number): void;
  /** False: the client is slow, the connection pauses until `resume()`. */
  body(chunk: Buffer): boolean;
  end(): void;
  /** `answered`: whether the head had arrived (then nothing may be retried). */
  error(error: NodeJS.ErrnoException, answered: boolean): void;
}

/** Below Node's default 5 s keepAliveTimeout, so the app never closes a socket we are about to use. */
const IDLE_MS = 4000;
/** Margin below an app's announced `Keep-Alive: timeout=N` (gunicorn says 2 s, for example). */
const IDLE_MARGIN_MS = 500;
const MAX_IDLE_PER_PORT = 256;
const SWEEP_MS = 500;
/** llhttp's limit when a parser is given none (Node's --max-http-header-size default). */
const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

/** How long an idle connection may be kept: the app's Keep-Alive hint (less a margin) when it gives one. */
export function announcedIdleMs(headers: string[]): number {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].length === 10 && headers[i].toLowerCase() === 'keep-alive') return idleMsFor(headers[i + 1]);
  }
  return IDLE_MS;
}

/** The same from a Keep-Alive header's value (undefined: the app sent none). */
export function idleMsFor(keepAlive: string | undefined): number {
  const timeout = keepAlive === undefined ? null : /timeout=(\d+)/i.exec(keepAlive);
  return timeout ? Math.max(0, Math.min(IDLE_MS, Number(timeout[1]) * 1000 - IDLE_MARGIN_MS)) : IDLE_MS;
}

export class UpstreamConnection {
  private readonly parser: Parser;
  private listener?: UpstreamListener;
  private answered = false;
  private keepAlive = false;
  private noBody = false;
  private headers: string[] = [];
  private idleMs = IDLE_MS;
  /** When it went back to the pool. */
  private idleSince = 0;
  /** A request body is still being written. */
  private sending = false;
  /** llhttp has begun a message it has not finished: what comes next is its to read. */
  private midMessage = false;

  constructor(
    private readonly pool: UpstreamPool,
    readonly port: number,
    readonly socket: net.Socket,
  ) {
    const Binding = HTTP_PARSER!;
    this.parser = new Binding();
    this.parser.initialize(Binding.RESPONSE, {}, 0, 0);
    this.parser[Binding.kOnMessageBegin] = () => void (this.midMessage = true);
    this.parser[Binding.kOnHeaders] = (headers: string[]) => void this.headers.push(...headers);
    this.parser[Binding.kOnHeadersComplete] = (_major: number, _minor: number, headers: string[] | undefined, _m: unknown, _u: unknown, status: number, _text: string, _upgrade: boolean, keepAlive: boolean) =>
      this.onHead(status, headers, keepAlive);
    this.parser[Binding.kOnBody] = (chunk: Buffer) => {
      if (this.listener && !this.listener.body(chunk)) socket.pause();
    };
    this.parser[Binding.kOnMessageComplete] = () => {
      this.midMessage = false;
      this.onComplete();
    };
    this.parser[Binding.kOnExecute] = () => undefined;
    socket.on('end', () => {
      // A close-delimited body ends here; otherwise the app closed the connection on us.
      const result = this.parser.finish();
      if (this.listener) this.fail(result instanceof Error ? result : Object.assign(new Error('upstream closed the connection'), { code: 'ECONNRESET' }));
      socket.destroy();
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.closed());
  }

  /** Bytes from the app, in the shared read buffer: parsed before the next read can overwrite them. */
  received(data: Buffer): void {
    if (!this.midMessage && this.listener !== undefined && !this.noBody) {
      const simple = readSimpleResponse(data, MAX_RESPONSE_HEAD_BYTES);
      if (simple !== undefined) return this.simpleResponse(data, simple);
    }
    const result = this.parser.execute(data);
    if (result instanceof Error) this.fail(Object.assign(result, { code: 'HPE_INVALID' }));
  }

  /** A whole response read without llhttp: told to the exchange as llhttp's callbacks would. */
  private simpleResponse(data: Buffer, response: SimpleResponse): void {
    this.answered = true;
    this.keepAlive = response.keepAlive;
    this.idleMs = idleMsFor(response.keepAliveHeader);
    this.listener?.simpleHead(response.status, response.lines, response.bodyLength);
    if (response.bodyLength > 0 && this.listener !== undefined) {
      // A copy, as llhttp gives: the read buffer is reused by the next read of any connection.
      const body = Buffer.allocUnsafe(response.bodyLength);
      data.copy(body, 0, response.bodyStart);
      if (!this.listener.body(body)) this.socket.pause();
    }
    this.onComplete();
  }

  /**
   * Starts an exchange: `head` is the request line and headers; a body, if any, follows with
   * write() and requestSent(). `headRequest`: the answer has no body whatever its headers say.
   */
  start(listener: UpstreamListener, head: string, options: { headRequest: boolean; bodyFollows: boolean }): void {
    this.listener = listener;
    this.answered = false;
    this.noBody = options.headRequest;
    this.sending = options.bodyFollows;
    this.headers = [];
    // Header bytes as llhttp read them (one byte per character), as node:http writes them.
    writeNow(this.socket, head);
    this.socket.resume();
  }

  /** The request body is written whole: only now may the connection carry another request. */
  requestSent(): void {
    this.sending = false;
  }

  write(chunk: Buffer | string): boolean {
    return this.socket.write(chunk);
  }

  resume(): void {
    this.socket.resume();
  }

  /** The client went away mid-exchange: this connection's state is unknown, so it is not reused. */
  abort(): void {
    this.listener = undefined;
    this.socket.destroy();
  }

  private onHead(status: number, headers: string[] | undefined, keepAlive: boolean): number {
    if (status < 200 && status !== 101) return 0; // 1xx informational: the final answer follows
    this.answered = true;
    this.keepAlive = keepAlive;
    const all = this.headers.length > 0 ? [...this.headers, ...(headers ?? [])] : (headers ?? []);
    this.idleMs = announcedIdleMs(all);
    this.listener?.head(status, all);
    return this.noBody ? 1 : 0; // HEAD: llhttp must not wait for the body its Content-Length announces
  }

  private onComplete(): void {
    if (!this.answered) return;
    const listener = this.listener;
    this.listener = undefined;
    listener?.end();
    // An app that answered before the body was all sent: the rest would be read as the next request.
    if (this.keepAlive && !this.sending && !this.socket.destroyed) this.pool.release(this);
    else this.socket.destroy();
  }

  private fail(error: NodeJS.ErrnoException): void {
    const listener = this.listener;
    this.listener = undefined;
    this.socket.destroy();
    listener?.error(error, this.answered);
  }

  private closed(): void {
    this.pool.forget(this);
    this.parser.close();
    if (this.listener) this.fail(Object.assign(new Error('upstream connection closed'), { code: 'ECONNRESET' }));
  }

  /** Back in the pool. Left reading: an app closing the idle connection is noticed now, not when it is next used. */
  idle(now: number): void {
    this.idleSince = now;
  }

  /** Idle longer than the app would keep it: it may be closing it right now. */
  expired(now: number): boolean {
    return now - this.idleSince > this.idleMs;
  }
}

/** Idle connections per port, most recently used first (warm sockets, fewer of them open). */
export class UpstreamPool {
  private readonly idle = new Map<number, UpstreamConnection[]>();
  /** Idle connections are timed by timestamps and one sweep, not a timer per request. */
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();

  acquire(port: number): UpstreamConnection {
    const free = this.idle.get(port);
    if (free !== undefined && free.length > 0) {
      const now = Date.now();
      for (let pooled = free.pop(); pooled !== undefined; pooled = free.pop()) {
        if (!pooled.expired(now)) return pooled;
        pooled.socket.destroy();
      }
    }
    let connection: UpstreamConnection | undefined = undefined;
    const socket = net.connect({
      host: '127.0.0.1',
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (length: number) => {
          connection?.received(READ_BUFFER.subarray(0, length));
          return true; // pausing is the exchange's call (socket.pause() on a slow client)
        },
      },
    });
    connection = new UpstreamConnection(this, port, socket);
    return connection;
  }

  release(connection: UpstreamConnection): void {
    let free = this.idle.get(connection.port);
    if (!free) this.idle.set(connection.port, (free = []));
    if (free.length >= MAX_IDLE_PER_PORT) return void connection.socket.destroy();
    connection.idle(Date.now());
    free.push(connection);
  }

  forget(connection: UpstreamConnection): void {
    const free = this.idle.get(connection.port);
    if (!free) return;
    const at = free.indexOf(connection);
    if (at !== -1) free.splice(at, 1);
    if (free.length === 0) this.idle.delete(connection.port);
  }

  private sweep(): void {
    const now = Date.now();
    for (const free of this.idle.values()) for (const connection of free.filter((c) => c.expired(now))) connection.socket.destroy();
  }

  destroy(): void {
    clearInterval(this.sweeper);
    for (const free of this.idle.values()) for (const connection of [...free]) connection.socket.destroy();
    this.idle.clear();
  }
}
