import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CertificateState, CertificateStatus, isDue, retryDelayMs } from './renewal-policy';

const DAY = 86_400_000;
const WINDOW = 30 * DAY;

function issued(now: Date, daysLeft: number): CertificateState {
  return { status: CertificateStatus.Issued, notAfter: new Date(now.getTime() + daysLeft * DAY), attempts: 0, nextAttemptAt: new Date(0) };
}

describe('renewal policy', () => {
  const now = new Date('2026-11-22T12:00:00Z');

  it('orders a certificate for a hostname that has none', () => {
    assert.equal(isDue(undefined, now, WINDOW), true);
  });

  it('leaves a certificate alone until it enters the renewal window, then renews it', () => {
    const cert = issued(now, 90);
    assert.equal(isDue(cert, now, WINDOW), false);
    assert.equal(isDue(cert, new Date(now.getTime() + 59 * DAY), WINDOW), false);
    assert.equal(isDue(cert, new Date(now.getTime() + 60 * DAY), WINDOW), true);
    assert.equal(isDue(cert, new Date(now.getTime() + 89 * DAY), WINDOW), true);
  });

  it('retries a failure only after its backoff, even for a certificate about to expire', () => {
    const failed: CertificateState = { status: CertificateStatus.Failed, notAfter: null, attempts: 2, nextAttemptAt: new Date(now.getTime() + 10 * 60_000) };
    assert.equal(isDue(failed, now, WINDOW), false);
    assert.equal(isDue(failed, new Date(now.getTime() + 10 * 60_000), WINDOW), true);
    const renewalFailed = { ...issued(now, 3), nextAttemptAt: new Date(now.getTime() + 60_000) };
    assert.equal(isDue(renewalFailed, now, WINDOW), false);
    assert.equal(isDue(renewalFailed, new Date(now.getTime() + 60_000), WINDOW), true);
  });

  it('backs off exponentially from 5 minutes up to a day', () => {
    assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [5, 10, 20, 40].map((m) => m * 60_000));
    assert.equal(retryDelayMs(30), DAY);
  });
});
