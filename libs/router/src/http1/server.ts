import type net from 'node:net';
import type { RouterLimits } from '@berth/config';
import { ConnectionHost, Http1Connection, RequestHandler } from './connection';
import { withSharedReads } from './shared-reads';

/**
 * Berth's HTTP/1.1 server side: the connections accepted from one or more listeners (a plain
 * net.Server, a tls.Server's secure sockets), the header and keep-alive timeouts, and the
 * closing of connections on shutdown. One timer checks every connection's timestamps, so a
 * request costs no timer of its own.
 */
export class Http1Server implements ConnectionHost {
  readonly maxHeaderBytes: number;
  /** Whole seconds, rounded down: a client told more than the server keeps would reuse a closed connection. */
  readonly keepAliveLine: string;
  /** A shutdown began: every answer from now on closes its connection. */
  closing = false;
  private readonly connections = new Set<Http1Connection>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly handler: RequestHandler,
    private readonly limits: RouterLimits,
  ) {
    this.maxHeaderBytes = limits.maxHeaderBytes;
    this.keepAliveLine = `Keep-Alive: timeout=${Math.floor(limits.keepAliveTimeoutMs / 1000)}\r\n`;
    this.timer = setInterval(() => this.check(), Math.max(10, Math.min(1000, limits.headerTimeoutMs)));
    this.timer.unref();
  }

  /** The listener's connection callback: `net.createServer(options, (socket) => server.accept(socket))`. */
  accept(socket: net.Socket): void {
    if (this.closing) return void socket.destroy();
    socket.setNoDelay(true);
    this.connections.add(new Http1Connection(socket, this));
  }

  /** The plain listener's connection callback; the listener has SHARED_READS_LISTENER's options. */
  acceptSharedReads(accepted: net.Socket): void {
    if (this.closing) return void accepted.destroy();
    const shared = withSharedReads(accepted);
    shared.socket.setNoDelay(true);
    this.connections.add(new Http1Connection(shared.socket, this, shared));
  }

  forget(connection: Http1Connection): void {
    this.connections.delete(connection);
  }

  get size(): number {
    return this.connections.size;
  }

  /**
   * Shutdown of a listener whose close (`listenerClosed`) waits for its connections: idle ones
   * close now, busy ones after their answer, and whatever is left after `waitMs` is cut, so a
   * stop never hangs. closeIdle() has run when this returns its promise.
   */
  async shutDown(listenerClosed: Promise<void>, waitMs: number): Promise<void> {
    this.closeIdle();
    const cut = setTimeout(() => this.closeAll(), waitMs);
    await listenerClosed;
    clearTimeout(cut);
  }

  /** Shutdown, first step: idle keep-alive connections close now, busy ones after their answer. */
  private closeIdle(): void {
    this.closing = true;
    for (const connection of this.connections) if (connection.idle) connection.socket.destroy();
  }

  /** Shutdown, last step: whatever is still open is cut. */
  private closeAll(): void {
    this.closing = true;
    for (const connection of this.connections) connection.socket.destroy();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const now = Date.now();
    const { headerTimeoutMs, keepAliveTimeoutMs } = this.limits;
    for (const connection of this.connections) {
      const waited = now - connection.since;
      if (connection.ending) {
        // Ended by the router, answers written, and the client still has not closed.
        if (connection.answered && waited > headerTimeoutMs) connection.socket.destroy();
        continue;
      }
      const headMs = connection.headMs();
      if (headMs > headerTimeoutMs) connection.headTimedOut();
      else if (headMs === -1 && connection.idle && waited > keepAliveTimeoutMs) connection.socket.destroy();
    }
  }
}
