import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import net from 'node:net';
import { BERTH_CONFIG, BerthConfig, RouterLimits } from '@berth/config';
import { InFlightRequests } from './in-flight';
import { ExchangeDeps, plain, ProxyExchange, UpstreamPicker } from './proxy-exchange';
import { rawAnswer, UpgradeTunnel } from './proxy-upgrade';
import { Route, RouteTable } from './route-table';
import { TlsFront } from './tls/tls-front';
import { HTTP_PARSER, UpstreamPool } from './upstream-pool';

/** Where a Host header leads: an app by NAME.BERTH_DOMAIN or by one of its custom domains. */
export function routeKey(hostHeader: string | undefined, domain: string): string | undefined {
  if (!hostHeader) return undefined;
  const hostname = hostHeader.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();
  const suffix = `.${domain}`;
  if (hostname.endsWith(suffix)) {
    const name = hostname.slice(0, -suffix.length);
    if (!name.includes('.')) return name;
  }
  return hostname;
}

const DEFAULT_LIMITS: RouterLimits = { maxHeaderBytes: 16 * 1024, headerTimeoutMs: 10_000, keepAliveTimeoutMs: 60_000, maxConnections: 10_000, maxBodyBytes: 100 * 1024 * 1024, drainGraceMs: 10_000 };
const SHUTDOWN_WAIT_MS = 5000;
/** Host headers seen recently -> route key: most requests skip the parsing. Bounded against junk hosts. */
const ROUTE_KEY_CACHE_SIZE = 4096;

/** Node's HTTP server settings from the router's limits (plain and TLS servers alike). */
export function httpServerOptions(limits: RouterLimits): http.ServerOptions {
  return {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headerTimeoutMs,
    // A request's body may take long (uploads); only its head is timed. Streams are not limited.
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the header timeout on this tick; the default 30 s would let slow clients linger.
    connectionsCheckingInterval: Math.min(1000, limits.headerTimeoutMs),
    noDelay: true,
  };
}

/** Answers for requests Node's parser rejects: the status a client can act on, then that connection closes. */
function clientErrorStatus(error: NodeJS.ErrnoException): string {
  if (error.code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

@Injectable()
export class RouterServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RouterServer.name);
  private readonly limits: RouterLimits;
  private readonly server: http.Server;
  private readonly pool = new UpstreamPool();
  private readonly picker = new UpstreamPicker();
  private readonly routeKeys = new Map<string, string>();
  private readonly exchangeDeps: ExchangeDeps;

  constructor(
    private readonly routes: RouteTable,
    private readonly inFlight: InFlightRequests,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
    private readonly tlsFront: TlsFront,
  ) {
    if (!HTTP_PARSER) throw new Error(`this Node.js (${process.version}) does not expose its HTTP parser to the router; use Node 20-24`);
    this.limits = config.router.limits ?? DEFAULT_LIMITS;
    this.server = this.createServer();
    this.exchangeDeps = { inFlight, pool: this.pool, picker: this.picker, maxBodyBytes: this.limits.maxBodyBytes };
  }

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.router.port, '0.0.0.0', () => resolve());
    });
    this.logger.log(`router listening on http://0.0.0.0:${this.config.router.port} for *.${this.config.router.domain}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    this.inFlight.closeAllLongLived();
    // Requests under way get a moment to finish; then whatever is left is cut, so a stop never hangs.
    const cut = setTimeout(() => this.server.closeAllConnections(), SHUTDOWN_WAIT_MS);
    await closed;
    clearTimeout(cut);
    this.pool.destroy();
  }

  private createServer(): http.Server {
    const server = http.createServer(httpServerOptions(this.limits), (request, response) => this.handle(request, response));
    this.attach(server);
    return server;
  }

  /** Connection cap, malformed requests and upgrades: the same for the plain server and the TLS one. */
  attach(server: http.Server): void {
    server.maxConnections = this.limits.maxConnections;
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => this.clientError(error, socket as net.Socket));
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket as net.Socket, head));
  }

  private route(request: IncomingMessage): Route | undefined {
    const host = request.headers.host;
    if (host === undefined) return undefined;
    let key = this.routeKeys.get(host);
    if (key === undefined) {
      key = routeKey(host, this.config.router.domain) ?? '';
      if (this.routeKeys.size >= ROUTE_KEY_CACHE_SIZE) this.routeKeys.clear();
      this.routeKeys.set(host, key);
    }
    return this.routes.lookup(key);
  }

  /** Shared by the plain server and the TLS one (tls/tls-server.ts). */
  handle(request: IncomingMessage, response: ServerResponse): void {
    if (this.tlsFront.answerChallenge(request, response)) return;
    const route = this.route(request);
    if (!route) return plain(response, 404, `no app is served at ${request.headers.host ?? '(no Host header)'}\n`);
    if (this.tlsFront.redirectToHttps(route.app, request, response)) return;
    if (route.upstreams.length === 0) return plain(response, 503, `app "${route.app}" has no healthy instance right now\n`, { 'retry-after': '5' });
    new ProxyExchange(route, request, response, this.exchangeDeps).start();
  }

  private upgrade(request: IncomingMessage, socket: net.Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const route = this.route(request);
    if (!route) return rawAnswer(socket, '404 Not Found', `no app is served at ${request.headers.host ?? '(no Host header)'}\n`);
    if (route.upstreams.length === 0) return rawAnswer(socket, '503 Service Unavailable', `app "${route.app}" has no healthy instance right now\n`);
    new UpgradeTunnel(route, request, socket, head, { inFlight: this.inFlight, picker: this.picker }).start();
  }

  /** A malformed or oversized request: answered on its own connection only, the others carry on. */
  private clientError(error: NodeJS.ErrnoException, socket: net.Socket): void {
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    // A response already under way on this connection cannot be followed by another status line.
    if ((socket as unknown as { _httpMessage?: unknown })._httpMessage) return void socket.destroy();
    rawAnswer(socket, clientErrorStatus(error));
  }
}
