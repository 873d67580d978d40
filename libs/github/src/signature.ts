import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** `sha256=HEX` of the body, as GitHub sends in `X-Hub-Signature-256`. */
export function signPayload(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** True when the header is the HMAC-SHA256 of the raw body under the secret, compared in constant time. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  const given = SIGNATURE.exec(header?.trim() ?? '')?.[1];
  if (!given) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
