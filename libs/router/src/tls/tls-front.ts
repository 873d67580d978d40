import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CertificateStore } from '@berth/certificates';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { CertificateCache } from './certificate-cache';

const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';
const REDIRECT_REFRESH_MS = 1000;

/** What the front reads of a request (the router's Http1Request has it). */
export interface FrontRequest {
  readonly method: string;
  readonly url: string;
  readonly host?: string;
  /** It came over TLS. */
  readonly encrypted: boolean;
}

/** What the front writes its answers with (the router's Http1Response has it). */
export interface FrontResponse {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body?: string): void;
}

/**
 * What the router answers itself before proxying: ACME http-01 challenges (for any host, from
 * the database, since the issuer runs in the worker) and, for apps that asked for it, a 308
 * from plain HTTP to HTTPS.
 */
@Injectable()
export class TlsFront implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TlsFront.name);
  private redirectApps = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: CertificateStore,
    private readonly certificates: CertificateCache,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.router.tlsPort === undefined) return;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REDIRECT_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** True when the request was answered here (a challenge) and must not reach an app. */
  answerChallenge(request: FrontRequest, response: FrontResponse): boolean {
    if (!request.url.startsWith(CHALLENGE_PREFIX) || request.method !== 'GET') return false;
    const token = request.url.slice(CHALLENGE_PREFIX.length);
    this.store.keyAuthorization(token).then(
      (keyAuthorization) => reply(response, keyAuthorization ? 200 : 404, keyAuthorization ?? 'no such challenge\n'),
      (error: Error) => {
        this.logger.error(`challenge lookup failed: ${error.message}`);
        reply(response, 503, 'challenge lookup failed\n');
      },
    );
    return true;
  }

  /**
   * True when `app` wants HTTPS and this plain request was sent there with a 308. Only hosts
   * with a certificate are redirected: a pending order, a wildcard domain or NAME.BERTH_DOMAIN
   * stay on plain HTTP rather than lead to a failing handshake.
   */
  redirectToHttps(app: string, request: FrontRequest, response: FrontResponse): boolean {
    const tlsPort = this.config.router.tlsPort;
    if (tlsPort === undefined || request.encrypted || !this.redirectApps.has(app)) return false;
    const host = (request.host ?? '').replace(/:\d+$/, '');
    if (!this.certificates.lookup(host)) return false;
    const location = `https://${host}${tlsPort === 443 ? '' : `:${tlsPort}`}${request.url || '/'}`;
    response.writeHead(308, { location, 'content-length': 0 });
    response.end();
    return true;
  }

  private async refresh(): Promise<void> {
    try {
      const rows: Array<{ name: string }> = await this.db.query(`SELECT name FROM apps WHERE https_redirect`);
      this.redirectApps = new Set(rows.map((row) => row.name));
    } catch (error) {
      this.logger.error(`redirect settings reload failed: ${(error as Error).message}`);
    }
  }
}

function reply(response: FrontResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
