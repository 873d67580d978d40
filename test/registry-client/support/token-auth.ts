import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * The signing side of distribution's token auth, as Docker Hub's auth.docker.io plays it: an
 * ES256 key pair, a self-signed certificate the registry trusts (its `rootcertbundle`), and
 * JWTs whose `kid` is the libtrust fingerprint of the key, which is how the registry finds it.
 */
export class TokenIssuer {
  readonly privateKey: KeyObject;
  readonly certificatePem: string;
  readonly keyId: string;

  constructor(
    readonly issuer: string,
    readonly service: string,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = libtrustKeyId(spki);
    this.certificatePem = toPem(selfSignedCertificate(spki, privateKey, issuer));
  }

  /** A registry token granting `access` for five minutes. */
  issue(subject: string, access: { type: string; name: string; actions: string[] }[]): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', kid: this.keyId };
    const jti = randomBytes(8).toString('hex');
    const claims = { iss: this.issuer, sub: subject, aud: this.service, exp: now + 300, nbf: now - 10, iat: now, jti, access };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    // JWS wants the raw r||s form of an ECDSA signature, not DER.
    const signature = sign('sha256', Buffer.from(signingInput), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${base64url(signature)}`;
  }
}

export interface TokenPolicy {
  /** Anonymous requests get pull access; when false they are refused with 401, as a private registry does. */
  anonymousPull: boolean;
  /** user -> password and the actions that user may have on every repository. */
  users: Record<string, { password: string; actions: string[] }>;
}

/** The token endpoint (`realm`) on a loopback port; records each request so tests can count them. */
export class TokenServer {
  readonly requests: { scopes: string[]; user: string | null }[] = [];
  private server?: http.Server;

  constructor(
    private readonly issuer: TokenIssuer,
    readonly policy: TokenPolicy,
  ) {}

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://token');
    const scopes = url.searchParams.getAll('scope');
    const user = basicUser(request.headers.authorization);
    this.requests.push({ scopes, user: user?.name ?? null });
    const allowed = this.allowedActions(user);
    if (allowed === null) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"access to the requested resource is not authorized"}');
      return;
    }
    const access = scopes.flatMap((scope) => grant(scope, allowed));
    const token = this.issuer.issue(user?.name ?? '', access);
    const body = { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private allowedActions(user: { name: string; password: string } | null): string[] | null {
    if (user === null) return this.policy.anonymousPull ? ['pull'] : null;
    const known = this.policy.users[user.name];
    return known !== undefined && known.password === user.password ? known.actions : null;
  }
}

/** `repository:name:pull,push` -> the requested actions the caller may have. */
function grant(scope: string, allowed: string[]): { type: string; name: string; actions: string[] }[] {
  const [type, ...rest] = scope.split(':');
  const actions = (rest.pop() ?? '').split(',').filter((action) => allowed.includes(action));
  return type === 'repository' ? [{ type, name: rest.join(':'), actions }] : [];
}

function basicUser(header: string | undefined): { name: string; password: string } | null {
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** libtrust's key ID: the first 240 bits of SHA-256 over the DER public key, base32, in 12 groups of 4. */
export function libtrustKeyId(spki: Buffer): string {
  const encoded = base32(createHash('sha256').update(spki).digest().subarray(0, 30));
  return encoded.match(/.{4}/g)!.join(':');
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let output = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) output += alphabet[(value << (5 - bits)) & 31];
  return output;
}

// --- a minimal X.509 v3 certificate in DER, since node:crypto reads certificates but cannot make them ---

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';

function selfSignedCertificate(spki: Buffer, key: KeyObject, commonName: string): Buffer {
  const name = der(0x30, der(0x31, der(0x30, oid(COMMON_NAME), der(0x0c, Buffer.from(commonName)))));
  const algorithm = der(0x30, oid(ECDSA_WITH_SHA256));
  const now = Date.now();
  const validity = der(0x30, utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000)));
  const serial = randomBytes(12);
  serial[0] &= 0x7f; // a positive INTEGER
  const version = der(0xa0, der(0x02, Buffer.from([2])));
  const tbs = der(0x30, version, der(0x02, serial), algorithm, name, validity, name, spki);
  const signature = sign('sha256', tbs, key);
  return der(0x30, tbs, algorithm, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(text));
}

function toPem(certificate: Buffer): string {
  const lines = certificate.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}
