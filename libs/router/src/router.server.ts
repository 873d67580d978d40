import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { InFlightRequests } from './in-flight';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './proxy-headers';
import { Route, RouteTable } from './route-table';
import { isEncrypted, TlsFront } from './tls/tls-front';

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

@Injectable()
export class RouterServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RouterServer.name);
  private readonly server = http.createServer((request, response) => this.handle(request, response));
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 64 });
  private nextUpstream = 0;

  constructor(
    private readonly routes: RouteTable,
    private readonly inFlight: InFlightRequests,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
    private readonly tlsFront: TlsFront,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.router.port, '0.0.0.0', () => resolve());
    });
    this.logger.log(`router listening on http://0.0.0.0:${this.config.router.port} for *.${this.config.router.domain}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  /** Shared by the plain server and the TLS one (tls/tls-server.ts). */
  handle(request: IncomingMessage, response: ServerResponse): void {
    if (this.tlsFront.answerChallenge(request, response)) return;
    const key = routeKey(request.headers.host, this.config.router.domain);
    const route = key ? this.routes.lookup(key) : undefined;
    if (!route) return plain(response, 404, `no app is served at ${request.headers.host ?? '(no Host header)'}\n`);
    if (this.tlsFront.redirectToHttps(route.app, request, response)) return;
    if (route.upstreams.length === 0) return plain(response, 503, `app "${route.app}" has no healthy instance right now\n`, { 'retry-after': '5' });
    this.proxy(route, request, response);
  }

  private proxy(route: Route, request: IncomingMessage, response: ServerResponse): void {
    const upstream = route.upstreams[this.nextUpstream++ % route.upstreams.length];
    this.inFlight.begin(upstream.port);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.inFlight.end(upstream.port);
    };
    response.once('close', end);
    const outgoing = http.request(
      { host: '127.0.0.1', port: upstream.port, method: request.method, path: request.url, headers: upstreamRequestHeaders(request, isEncrypted(request) ? 'https' : 'http'), agent: this.agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, downstreamResponseHeaders(answer.headers));
        answer.pipe(response);
      },
    );
    outgoing.on('error', () => {
      if (!response.headersSent) plain(response, 502, `app "${route.app}" did not answer\n`);
      else response.destroy();
    });
    request.pipe(outgoing);
  }
}

function plain(response: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...extra });
  response.end(body);
}
