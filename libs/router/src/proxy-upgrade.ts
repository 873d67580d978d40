import net from 'node:net';
import type { Http1Request } from './http1/request';
import { rawAnswer } from './http1/connection';
import { InFlightRequests } from './in-flight';
import { upstreamRequestHeaders } from './proxy-headers';
import { protocolOf, UpstreamPicker } from './proxy-exchange';
import { Route, Upstream } from './route-table';

/** WebSocket close frame, server to client (unmasked): 1001 "going away". */
const GOING_AWAY_FRAME = (() => {
  const reason = Buffer.from('going away');
  const frame = Buffer.alloc(4 + reason.length);
  frame[0] = 0x88;
  frame[1] = 2 + reason.length;
  frame.writeUInt16BE(1001, 2);
  reason.copy(frame, 4);
  return frame;
})();

/**
 * A protocol upgrade (WebSocket) passed through as bytes: the request head is written to a new
 * TCP connection to an instance, then both sockets are piped into each other unbuffered. The
 * app answers the handshake itself. A connection refused is tried once on another instance.
 */
export class UpgradeTunnel {
  private upstream!: Upstream;
  private untrack?: () => void;

  constructor(
    private readonly route: Route,
    private readonly request: Http1Request,
    private readonly client: net.Socket,
    private readonly head: Buffer,
    private readonly deps: { inFlight: InFlightRequests; picker: UpstreamPicker },
  ) {}

  start(retried = false): void {
    this.upstream = this.deps.picker.pick(this.route, retried ? this.upstream : undefined);
    const app = net.connect({ host: '127.0.0.1', port: this.upstream.port, noDelay: true });
    const onConnectError = (error: NodeJS.ErrnoException) => {
      app.destroy();
      if (!retried && error.code === 'ECONNREFUSED') return this.start(true);
      rawAnswer(this.client, '502 Bad Gateway', `app "${this.route.app}" did not answer\n`);
    };
    app.once('error', onConnectError);
    app.once('connect', () => {
      app.off('error', onConnectError);
      this.connected(app);
    });
  }

  private connected(app: net.Socket): void {
    const client = this.client;
    const headers = upstreamRequestHeaders(this.request.headers, this.request.remoteAddress, protocolOf(this.request), true);
    let head = `${this.request.method} ${this.request.url} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    app.write(`${head}\r\n`);
    if (this.head.length > 0) app.write(this.head);
    client.setNoDelay(true);
    client.setTimeout(0);
    this.untrack = this.deps.inFlight.track(this.upstream.port, { close: () => this.goAway(app) });
    const both = () => {
      this.untrack?.();
      app.destroy();
      client.destroy();
    };
    app.on('error', both).on('close', both);
    client.on('error', both).on('close', both);
    app.pipe(client);
    client.pipe(app);
  }

  /** The drain grace ran out: the client hears "going away" (and reconnects), the app sees its socket end. */
  private goAway(app: net.Socket): void {
    app.unpipe(this.client);
    this.client.unpipe(app);
    this.untrack?.();
    this.client.end(GOING_AWAY_FRAME);
    app.end();
    setTimeout(() => this.client.destroy(), 1000).unref();
  }
}
