/** A child that ran this long before exiting is considered to have been healthy. */
export const STABLE_AFTER_MS = 30_000;
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

/** Exponential restart backoff: 1s, 2s, 4s, ... capped at 30s, after `failures` quick exits in a row. */
export function restartDelayMs(failures: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, failures - 1));
}
