/** What the issuer knows of one hostname's certificate. */
export interface CertificateState {
  status: CertificateStatus;
  notAfter: Date | null;
  attempts: number;
  nextAttemptAt: Date;
}

export enum CertificateStatus {
  Pending = 'pending',
  Issued = 'issued',
  Failed = 'failed',
}

const MINUTE = 60_000;
const FIRST_RETRY_MS = 5 * MINUTE;
const MAX_RETRY_MS = 24 * 60 * MINUTE;

/**
 * Whether to order a certificate now: none yet, or one that expires within the renewal
 * window; a failed attempt waits for its backoff to pass either way.
 */
export function isDue(state: CertificateState | undefined, now: Date, renewBeforeMs: number): boolean {
  if (!state) return true;
  if (state.nextAttemptAt.getTime() > now.getTime()) return false;
  if (state.status !== CertificateStatus.Issued || !state.notAfter) return true;
  return state.notAfter.getTime() - now.getTime() <= renewBeforeMs;
}

/**
 * Wait after the Nth consecutive failure: 5 min, 10, 20, ... capped at a day, which keeps
 * Let's Encrypt's failed-validation limit (5 per hostname per hour) out of reach.
 */
export function retryDelayMs(failures: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
}
