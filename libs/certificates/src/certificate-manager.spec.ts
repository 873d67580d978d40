import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BerthConfig } from '@berth/config';
import { CertificateIssuer } from './acme-issuer';
import { CertificateManager } from './certificate-manager';
import { CertificateStore } from './certificate-store';
import { CertificateState, CertificateStatus, retryDelayMs } from './renewal-policy';

const DAY = 86_400_000;

/** The store's bookkeeping in memory, with the same rules as the SQL (claim = lease on next attempt). */
class MemoryStore {
  readonly states = new Map<string, CertificateState & { lastError?: string }>();
  constructor(private readonly domains: string[]) {}
  async removeOrphans(): Promise<void> {}
  async issuableDomains() {
    return this.domains.filter((hostname) => !hostname.startsWith('*.')).map((hostname) => ({ hostname, state: this.states.get(hostname) }));
  }
  async state(hostname: string) {
    return this.states.get(hostname);
  }
  async claim(hostname: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const state = this.states.get(hostname);
    if (state && state.nextAttemptAt > now) return false;
    this.states.set(hostname, { status: CertificateStatus.Pending, notAfter: null, attempts: 0, ...state, nextAttemptAt: leaseUntil });
    return true;
  }
  async markIssued(hostname: string, _cert: string, _key: string, notAfter: Date): Promise<void> {
    this.states.set(hostname, { status: CertificateStatus.Issued, notAfter, attempts: 0, nextAttemptAt: new Date(0) });
  }
  async markFailed(hostname: string, reason: string, now: Date): Promise<void> {
    const state = this.states.get(hostname)!;
    const attempts = state.attempts + 1;
    const status = state.notAfter ? state.status : CertificateStatus.Failed;
    this.states.set(hostname, { ...state, status, attempts, lastError: reason, nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)) });
  }
}

function setUp(domains: string[], options: { tls?: boolean; failFor?: Set<string> } = {}) {
  let now = new Date('2026-11-22T00:00:00Z');
  const orders: string[] = [];
  const notified: string[] = [];
  const store = new MemoryStore(domains);
  const issuer: CertificateIssuer = {
    issue: async (hostname) => {
      orders.push(hostname);
      if (options.failFor?.has(hostname)) throw Object.assign(new Error('order failed'), { response: { data: { detail: `Connection refused by ${hostname}` } } });
      return { certPem: 'CERT', keyPem: 'KEY', notAfter: new Date(now.getTime() + 90 * DAY) };
    },
  };
  const config = { router: { tlsPort: options.tls === false ? undefined : 8443 }, acme: { renewBeforeMs: 30 * DAY } } as BerthConfig;
  const manager = new CertificateManager(store as unknown as CertificateStore, issuer, { issued: async (hostname) => void notified.push(hostname) }, config, () => now);
  return { manager, store, orders, notified, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('CertificateManager (fake clock)', () => {
  it('orders missing certificates, then renews each only inside the 30-day window', async () => {
    const { manager, orders, notified, advance } = setUp(['a.example.com', '*.wild.example.com']);
    await manager.scan();
    assert.deepEqual(orders, ['a.example.com'], 'wildcards are never ordered over http-01');
    assert.deepEqual(notified, ['a.example.com']);
    advance(59 * DAY);
    await manager.scan();
    assert.equal(orders.length, 1, '31 days left: not yet');
    advance(1 * DAY);
    await manager.scan();
    assert.equal(orders.length, 2, '30 days left: renewed');
    advance(1 * DAY);
    await manager.scan();
    assert.equal(orders.length, 2, 'the renewed certificate is good for 90 days again');
  });

  it('records a failure with the CA\'s reason and retries only after the backoff', async () => {
    const { manager, store, orders, advance } = setUp(['down.example.com'], { failFor: new Set(['down.example.com']) });
    await manager.scan();
    const failed = store.states.get('down.example.com')!;
    assert.equal(failed.status, CertificateStatus.Failed);
    assert.equal(failed.lastError, 'Connection refused by down.example.com');
    advance(4 * 60_000);
    await manager.scan();
    assert.equal(orders.length, 1, 'within the first 5 minutes: no retry');
    advance(60_000);
    await manager.scan();
    assert.equal(orders.length, 2, 'after 5 minutes: retried');
    advance(9 * 60_000);
    await manager.scan();
    assert.equal(orders.length, 2, 'second backoff is 10 minutes');
  });

  it('keeps an issued certificate (and its status) when a renewal fails', async () => {
    const failFor = new Set<string>();
    const { manager, store, advance } = setUp(['a.example.com'], { failFor });
    await manager.scan();
    failFor.add('a.example.com');
    advance(65 * DAY);
    await manager.scan();
    const state = store.states.get('a.example.com')!;
    assert.equal(state.status, CertificateStatus.Issued);
    assert.equal(state.attempts, 1);
  });

  it('orders nothing while the router has no TLS port', async () => {
    const { manager, orders } = setUp(['a.example.com'], { tls: false });
    await manager.issueIfDue('a.example.com');
    assert.deepEqual(orders, []);
  });

  it('does not order twice for a hostname already being ordered', async () => {
    const { manager, orders } = setUp(['a.example.com']);
    await Promise.all([manager.issueIfDue('a.example.com'), manager.issueIfDue('a.example.com')]);
    assert.equal(orders.length, 1);
  });
});
