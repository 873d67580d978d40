import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'berth_';

/** A new API token: 256 random bits, recognisable by its prefix in logs and secret scanners. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Tokens are random, not passwords: a plain SHA-256 is enough to make a leaked table useless,
 * and keeps the lookup an index hit.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
