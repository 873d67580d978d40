import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SecretBox } from '@berth/secrets';
import { CertificateState, CertificateStatus, retryDelayMs } from './renewal-policy';

/** The box private keys are sealed with (purpose 'berth/certificates'). */
export const CERTIFICATE_SECRET_BOX = Symbol('CERTIFICATE_SECRET_BOX');

/** A certificate the router can serve: the chain and its key, opened. */
export interface ServableCertificate {
  hostname: string;
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

/** What the API shows next to a domain. */
export interface CertificateSummary {
  status: CertificateStatus;
  notAfter: Date | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
}

interface StateRow {
  hostname: string;
  status: CertificateStatus | null;
  not_after: Date | null;
  attempts: number | null;
  next_attempt_at: Date | null;
  last_error: string | null;
}

/**
 * Certificates, ACME account keys and pending http-01 challenges in Postgres (the state of
 * record, shared by the worker that issues and every router that serves). Private keys are
 * stored sealed.
 */
@Injectable()
export class CertificateStore {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CERTIFICATE_SECRET_BOX) private readonly box: SecretBox,
  ) {}

  /** Every custom domain an http-01 certificate can cover (not wildcards), with its state. */
  async issuableDomains(): Promise<Array<{ hostname: string; state?: CertificateState }>> {
    const rows: StateRow[] = await this.db.query(
      `SELECT d.hostname, c.status, c.not_after, c.attempts, c.next_attempt_at, c.last_error
         FROM domains d LEFT JOIN certificates c ON c.hostname = d.hostname
        WHERE d.hostname NOT LIKE '*.%' ORDER BY d.hostname`,
    );
    return rows.map((row) => ({ hostname: row.hostname, state: stateOf(row) }));
  }

  async state(hostname: string): Promise<CertificateState | undefined> {
    const rows: StateRow[] = await this.db.query(`SELECT * FROM certificates WHERE hostname = $1`, [hostname]);
    return rows[0] ? stateOf(rows[0]) : undefined;
  }

  async summaries(hostnames: string[]): Promise<Map<string, CertificateSummary>> {
    const rows: StateRow[] = await this.db.query(`SELECT * FROM certificates WHERE hostname = ANY($1)`, [hostnames]);
    return new Map(rows.map((row) => [row.hostname, { status: row.status!, notAfter: row.not_after, lastError: row.last_error, nextAttemptAt: row.status === CertificateStatus.Issued && !row.last_error ? null : row.next_attempt_at }]));
  }

  /**
   * Takes the hostname for one order until `leaseUntil`, unless another worker holds it: the
   * lease is the row's next attempt time, so a worker that dies mid-order frees it by itself.
   */
  async claim(hostname: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO certificates (hostname, status, next_attempt_at) VALUES ($1, 'pending', $3)
       ON CONFLICT (hostname) DO UPDATE SET next_attempt_at = $3, updated_at = now() WHERE certificates.next_attempt_at <= $2
       RETURNING hostname`,
      [hostname, now, leaseUntil],
    );
    return rows.length === 1;
  }

  async markIssued(hostname: string, certPem: string, keyPem: string, notAfter: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO certificates (hostname, status, cert_pem, key_sealed, not_after, last_error, attempts, next_attempt_at, issued_at, updated_at)
       VALUES ($1, 'issued', $2, $3, $4, NULL, 0, now(), now(), now())
       ON CONFLICT (hostname) DO UPDATE SET status = 'issued', cert_pem = $2, key_sealed = $3, not_after = $4, last_error = NULL,
         attempts = 0, next_attempt_at = now(), issued_at = now(), updated_at = now()`,
      [hostname, certPem, await this.box.seal(keyPem), notAfter],
    );
  }

  /** A failed order: recorded with its reason; a certificate still valid keeps being served. */
  async markFailed(hostname: string, reason: string, now: Date): Promise<void> {
    const attempts = ((await this.state(hostname))?.attempts ?? 0) + 1;
    await this.db.query(
      `INSERT INTO certificates (hostname, status, last_error, attempts, next_attempt_at, updated_at)
       VALUES ($1, 'failed', $2, $3, $4, now())
       ON CONFLICT (hostname) DO UPDATE SET status = CASE WHEN certificates.cert_pem IS NULL THEN 'failed' ELSE certificates.status END,
         last_error = $2, attempts = $3, next_attempt_at = $4, updated_at = now()`,
      [hostname, reason.slice(0, 2000), attempts, new Date(now.getTime() + retryDelayMs(attempts))],
    );
  }

  /** Certificates of hostnames that are no longer anyone's domain, and challenges a dead order left. */
  async removeOrphans(): Promise<void> {
    await this.db.query(`DELETE FROM certificates c WHERE NOT EXISTS (SELECT 1 FROM domains d WHERE d.hostname = c.hostname)`);
    await this.db.query(`DELETE FROM acme_challenges WHERE created_at < now() - interval '1 day'`);
  }

  async servable(): Promise<ServableCertificate[]> {
    const rows: Array<{ hostname: string; cert_pem: string; key_sealed: string; not_after: Date }> = await this.db.query(
      `SELECT hostname, cert_pem, key_sealed, not_after FROM certificates WHERE cert_pem IS NOT NULL AND not_after > now()`,
    );
    return Promise.all(rows.map(async (row) => ({ hostname: row.hostname, certPem: row.cert_pem, keyPem: await this.box.open(row.key_sealed), notAfter: row.not_after })));
  }

  /** The account key for one ACME directory, created once with `create` and then reused. */
  async accountKey(directoryUrl: string, create: () => Promise<string>): Promise<string> {
    const existing: Array<{ key_sealed: string }> = await this.db.query(`SELECT key_sealed FROM acme_accounts WHERE directory_url = $1`, [directoryUrl]);
    if (existing[0]) return await this.box.open(existing[0].key_sealed);
    await this.db.query(`INSERT INTO acme_accounts (directory_url, key_sealed) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [directoryUrl, await this.box.seal(await create())]);
    return this.accountKey(directoryUrl, create);
  }

  async putChallenge(token: string, hostname: string, keyAuthorization: string): Promise<void> {
    await this.db.query(
      `INSERT INTO acme_challenges (token, hostname, key_authorization) VALUES ($1, $2, $3)
       ON CONFLICT (token) DO UPDATE SET hostname = $2, key_authorization = $3`,
      [token, hostname, keyAuthorization],
    );
  }

  async removeChallenge(token: string): Promise<void> {
    await this.db.query(`DELETE FROM acme_challenges WHERE token = $1`, [token]);
  }

  async keyAuthorization(token: string): Promise<string | undefined> {
    const rows: Array<{ key_authorization: string }> = await this.db.query(`SELECT key_authorization FROM acme_challenges WHERE token = $1`, [token]);
    return rows[0]?.key_authorization;
  }
}

function stateOf(row: StateRow): CertificateState | undefined {
  if (!row.status) return undefined;
  return { status: row.status, notAfter: row.not_after, attempts: row.attempts ?? 0, nextAttemptAt: row.next_attempt_at ?? new Date(0) };
}
