import tls, { SecureContext } from 'node:tls';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import IORedis, { Redis } from 'ioredis';
import { CertificateStore, certificatesChannel } from '@berth/certificates';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { redisOptionsFromUrl } from '@berth/queue';

const REFRESH_INTERVAL_MS = 30_000;

/**
 * Hostname -> TLS context, from the certificates in the database: reloaded every 30 s and at
 * once when the issuer announces a new certificate, so a handshake never waits on a query.
 */
@Injectable()
export class CertificateCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CertificateCache.name);
  private contexts = new Map<string, SecureContext>();
  private subscriber?: Redis;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: CertificateStore,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.router.tlsPort === undefined) return;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_INTERVAL_MS);
    this.timer.unref();
    this.subscriber = new IORedis(redisOptionsFromUrl(this.config.redis.url));
    this.subscriber.on('message', () => void this.refresh());
    await this.subscriber.subscribe(certificatesChannel(this.config.redis.prefix));
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.subscriber?.disconnect();
  }

  /** The exact hostname's certificate first, then one for `*.parent` (uploaded or future DNS-01). */
  lookup(servername: string): SecureContext | undefined {
    const hostname = servername.toLowerCase().replace(/\.$/, '');
    const exact = this.contexts.get(hostname);
    if (exact) return exact;
    const dot = hostname.indexOf('.');
    return dot === -1 ? undefined : this.contexts.get(`*${hostname.slice(dot)}`);
  }

  async refresh(): Promise<void> {
    try {
      const next = new Map<string, SecureContext>();
      for (const cert of await this.store.servable()) next.set(cert.hostname, tls.createSecureContext({ cert: cert.certPem, key: cert.keyPem }));
      this.contexts = next;
    } catch (error) {
      this.logger.error(`certificate reload failed, serving the last ones: ${(error as Error).message}`);
    }
  }
}
