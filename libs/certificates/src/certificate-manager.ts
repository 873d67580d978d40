import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { CERTIFICATE_ISSUER, CertificateIssuer } from './acme-issuer';
import { CertificateStore } from './certificate-store';
import { isDue } from './renewal-policy';

/** Tells routers that a certificate changed; Redis pub/sub in production. */
export interface CertificateNotifier {
  issued(hostname: string): Promise<void>;
}

export const CERTIFICATE_NOTIFIER = Symbol('CERTIFICATE_NOTIFIER');
export const CLOCK = Symbol('CLOCK');
export type Clock = () => Date;

const SCAN_INTERVAL_MS = 60_000;
/** Longer than any order takes; a worker that dies mid-order blocks the hostname this long. */
const ORDER_LEASE_MS = 10 * 60_000;
const FIRST_SCAN_DELAY_MS = 2_000;

/**
 * The worker's certificate duty: orders certificates for custom domains that have none,
 * renews those inside the renewal window, and records failures with a backoff (a failure
 * never touches plain HTTP, which keeps serving the domain). Runs only when the router has a
 * TLS port; a periodic scan covers renewals, retries and domains added while it was down.
 */
@Injectable()
export class CertificateManager implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CertificateManager.name);
  private timers: NodeJS.Timeout[] = [];
  private scanning = false;

  constructor(
    private readonly store: CertificateStore,
    @Inject(CERTIFICATE_ISSUER) private readonly issuer: CertificateIssuer,
    @Inject(CERTIFICATE_NOTIFIER) private readonly notifier: CertificateNotifier,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  get enabled(): boolean {
    return this.config.router.tlsPort !== undefined;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    const scan = () => void this.scan().catch((error: Error) => this.logger.error(`certificate scan failed: ${error.message}`));
    this.timers = [setTimeout(scan, FIRST_SCAN_DELAY_MS), setInterval(scan, SCAN_INTERVAL_MS)];
    for (const timer of this.timers) timer.unref();
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  /** Orders what is due, one hostname after another (CAs rate-limit; a burst helps nobody). */
  async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      await this.store.removeOrphans();
      for (const { hostname, state } of await this.store.issuableDomains()) {
        if (isDue(state, this.now(), this.config.acme.renewBeforeMs)) await this.issue(hostname);
      }
    } finally {
      this.scanning = false;
    }
  }

  /** A domain was just added: order at once if it needs a certificate. */
  async issueIfDue(hostname: string): Promise<void> {
    if (!this.enabled || hostname.startsWith('*.')) return;
    if (isDue(await this.store.state(hostname), this.now(), this.config.acme.renewBeforeMs)) await this.issue(hostname);
  }

  private async issue(hostname: string): Promise<void> {
    const now = this.now();
    if (!(await this.store.claim(hostname, now, new Date(now.getTime() + ORDER_LEASE_MS)))) return;
    try {
      const cert = await this.issuer.issue(hostname);
      await this.store.markIssued(hostname, cert.certPem, cert.keyPem, cert.notAfter);
      await this.notifier.issued(hostname).catch((error: Error) => this.logger.warn(`routers not told about ${hostname}'s certificate (they reload within a minute): ${error.message}`));
    } catch (error) {
      const reason = describeFailure(error);
      this.logger.error(`certificate for ${hostname} failed: ${reason}`);
      await this.store.markFailed(hostname, reason, this.now());
    }
  }
}

/** ACME problem documents carry the useful part ("Connection refused" from the validator). */
function describeFailure(error: unknown): string {
  const problem = error as { message?: string; response?: { data?: { detail?: string } } };
  return problem.response?.data?.detail ?? problem.message ?? String(error);
}
