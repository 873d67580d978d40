import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import net from 'node:net';
import { BERTH_CONFIG, BerthConfig, RouterLimits } from '@berth/config';
import { rawAnswer, RequestHandler } from './http1/connection';
import { HTTP_PARSER } from './http1/parser';
import { Http1Request } from './http1/request';
import { Http1Response } from './http1/response';
import { Http1Server } from './http1/server';
import { SHARED_READS_LISTENER } from './http1/shared-reads';
import { InFlightRequests } from './in-flight';
import { ExchangeDeps, plain, ProxyExchange, UpstreamPicker } from './proxy-exchange';
import { UpgradeTunnel } from './proxy-upgrade';
import { Route, RouteTable } from './route-table';
import { TlsFront } from './tls/tls-front';
import { UpstreamPool } from './upstream-pool';

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
export const SHUTDOWN_WAIT_MS = 5000;
/** Host headers seen recently -> route key: most requests skip the parsing. Bounded against junk hosts. */
const ROUTE_KEY_CACHE_SIZE = 4096;

const noAppMessage = (request: Http1Request) => `no app is served at ${request.host ?? '(no Host header)'}\n`;
const noInstanceMessage = (route: Route) => `app "${route.app}" has no healthy instance right now\n`;

/** Listener options for the plain server and the TLS one: answers are written as they are made. */
export const LISTENER_OPTIONS = { noDelay: true, allowHalfOpen: true } as const;

@Injectable()
export class RouterServer implements OnApplicationBootstrap, OnApplicationShutdown, RequestHandler {
  private readonly logger = new Logger(RouterServer.name);
  private readonly limits: RouterLimits;
  private readonly server: net.Server;
  /** Client connections of the plain listener and the TLS one. */
  readonly http: Http1Server;
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
    this.http = new Http1Server(this, this.limits);
    this.server = this.listener(net.createServer({ ...LISTENER_OPTIONS, ...SHARED_READS_LISTENER }, (socket) => this.http.acceptSharedReads(socket)));
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
    // Requests under way get a moment to finish; long-lived streams end now, so their clients reconnect.
    const shutDown = this.http.shutDown(closed, SHUTDOWN_WAIT_MS);
    this.inFlight.closeAllLongLived();
    await shutDown;
    this.http.stop();
    this.pool.destroy();
  }

  /** The connection cap, the same for the plain listener and the TLS one. */
  listener<T extends net.Server>(server: T): T {
    server.maxConnections = this.limits.maxConnections;
    return server;
  }

  private route(request: Http1Request): Route | undefined {
    const host = request.host;
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
  handle(request: Http1Request, response: Http1Response): void {
    if (this.tlsFront.answerChallenge(request, response)) return;
    const route = this.route(request);
    if (!route) return plain(response, 404, noAppMessage(request));
    if (this.tlsFront.redirectToHttps(route.app, request, response)) return;
    if (route.upstreams.length === 0) return plain(response, 503, noInstanceMessage(route), ['Retry-After', '5']);
    new ProxyExchange(route, request, response, this.exchangeDeps).start();
  }

  upgrade(request: Http1Request, socket: net.Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const route = this.route(request);
    if (!route) return rawAnswer(socket, '404 Not Found', noAppMessage(request));
    if (route.upstreams.length === 0) return rawAnswer(socket, '503 Service Unavailable', noInstanceMessage(route));
    new UpgradeTunnel(route, request, socket, head, { inFlight: this.inFlight, picker: this.picker }).start();
  }
}
