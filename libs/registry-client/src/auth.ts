import { RegistryCredentials } from './credentials';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { hostListIncludes, isLoopbackHost } from './hosts';
import { readLimitedBytes } from './http-body';
import { discard, HttpTransport } from './transport';
import { AuthChallenge, parseWwwAuthenticate } from './www-authenticate';

/** The spec says a token without expires_in lasts 60 s; a little is kept back for clock skew and transit. */
const DEFAULT_TOKEN_SECONDS = 60;
const EXPIRY_MARGIN_MS = 5_000;
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

export interface AuthenticatorOptions {
  transport: HttpTransport;
  /** The registry as users name it (`docker.io`), for messages. */
  registry: string;
  credentials?: RegistryCredentials;
  /** Hosts where Basic credentials may travel over plain HTTP. */
  insecureRegistries: readonly string[];
  now?: () => number;
}

interface CachedToken {
  authorization: string;
  expiresAt: number;
}

/**
 * Answers a registry's 401 challenges for one registry: the bearer-token flow (anonymous or
 * with credentials) with tokens cached per scope until they expire, or Basic auth.
 */
export class RegistryAuthenticator {
  private readonly tokens = new Map<string, CachedToken>();
  private basic = false;
  private credentials: RegistryCredentials | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
    this.credentials = options.credentials;
  }

  /** Credentials are read again for every pull; tokens obtained with other ones are forgotten. */
  useCredentials(credentials: RegistryCredentials | undefined): void {
    const current = this.credentials;
    if (credentials?.username === current?.username && credentials?.password === current?.password) return;
    this.credentials = credentials;
    this.tokens.clear();
    this.basic = false;
  }

  /** What to send up front for `scope`: a live token, or Basic once the registry asked for it. */
  cached(scope: string): string | undefined {
    if (this.basic) return this.basicHeader();
    const token = this.tokens.get(scope);
    if (token === undefined) return undefined;
    if (token.expiresAt > this.now()) return token.authorization;
    this.tokens.delete(scope);
    return undefined;
  }

  /** Handles a 401: returns the Authorization to retry with, or throws if there is none to try. */
  async answer(challengeHeader: string | null, scope: string): Promise<string> {
    const challenges = parseWwwAuthenticate(challengeHeader ?? '');
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer' && challenge.params['realm']);
    if (bearer !== undefined) return this.fetchToken(bearer, scope);
    if (challenges.some((challenge) => challenge.scheme === 'basic')) {
      if (this.credentials === undefined) throw this.unauthorized(scope, 'it asks for a user name and password');
      this.basic = true;
      return this.basicHeader()!;
    }
    throw this.unauthorized(scope, `it answered 401 without a usable challenge (${(challengeHeader ?? 'none').slice(0, 200)})`);
  }

  unauthorized(scope: string, why: string): RegistryClientError {
    const repository = scope.split(':')[1] ?? scope;
    const hint =
      this.credentials === undefined
        ? `the repository may not exist, or it needs credentials: add them for "${this.options.registry}" to BERTH_REGISTRY_AUTH`
        : `the repository may not exist, or the credentials given for "${this.options.registry}" (BERTH_REGISTRY_AUTH) are wrong or lack access`;
    return new RegistryClientError(
      RegistryClientErrorCode.Unauthorized,
      `${this.options.registry} refused access to ${repository}: ${why}; ${hint}`,
      { registry: this.options.registry, repository },
    );
  }

  private async fetchToken(challenge: AuthChallenge, scope: string): Promise<string> {
    const realm = parseRealm(challenge.params['realm'], this.options.registry);
    if (challenge.params['service'] !== undefined) realm.searchParams.set('service', challenge.params['service']);
    // The scope we need, not the challenge's: a challenge may name a narrower or an unrelated one.
    realm.searchParams.set('scope', scope);
    const response = await this.options.transport.send({
      method: 'GET',
      url: realm,
      headers: { accept: 'application/json' },
      authorization: this.mayCarryCredentials(realm) ? this.basicHeader() : undefined,
    });
    if (response.status === 401 || response.status === 403) {
      await discard(response);
      throw this.unauthorized(scope, `its token service ${realm.host} answered ${response.status}`);
    }
    const token = await readTokenResponse(response, realm);
    const authorization = `Bearer ${token.token}`;
    this.tokens.set(scope, { authorization, expiresAt: this.expiry(token) });
    return authorization;
  }

  private expiry(token: TokenResponse): number {
    const seconds = token.expiresIn !== undefined && token.expiresIn > 0 ? token.expiresIn : DEFAULT_TOKEN_SECONDS;
    const issued = token.issuedAt !== undefined && token.issuedAt <= this.now() ? token.issuedAt : this.now();
    return issued + seconds * 1000 - EXPIRY_MARGIN_MS;
  }

  /** Passwords go over TLS, or over plain HTTP only to loopback and hosts the operator declared insecure. */
  private mayCarryCredentials(url: URL): boolean {
    return url.protocol === 'https:' || isLoopbackHost(url.host) || hostListIncludes(this.options.insecureRegistries, url.host);
  }

  private basicHeader(): string | undefined {
    const credentials = this.credentials;
    if (credentials === undefined) return undefined;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }
}

interface TokenResponse {
  token: string;
  expiresIn?: number;
  issuedAt?: number;
}

function parseRealm(realm: string, registry: string): URL {
  try {
    const url = new URL(realm);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url;
  } catch {
    // reported below
  }
  throw new RegistryClientError(
    RegistryClientErrorCode.InvalidResponse,
    `${registry} sent a token realm that is not an http(s) URL (${realm.slice(0, 200)}); the registry is misconfigured`,
    { registry },
  );
}

async function readTokenResponse(response: Response, realm: URL): Promise<TokenResponse> {
  const invalid = (why: string) =>
    new RegistryClientError(RegistryClientErrorCode.InvalidResponse, `the token service ${realm.host} ${why}`, { host: realm.host });
  if (!response.ok) {
    await discard(response);
    throw new RegistryClientError(
      response.status === 429 ? RegistryClientErrorCode.RateLimited : RegistryClientErrorCode.RegistryError,
      `the token service ${realm.host} answered ${response.status}; try again later`,
      { host: realm.host, status: response.status },
    );
  }
  const text = await readLimitedBytes(response, MAX_TOKEN_RESPONSE_BYTES).then((bytes) => bytes.toString('utf8'), () => null);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    throw invalid('did not answer JSON');
  }
  const token = typeof body['token'] === 'string' ? body['token'] : body['access_token'];
  if (typeof token !== 'string' || token === '') throw invalid('answered without a token');
  const expiresIn = typeof body['expires_in'] === 'number' ? body['expires_in'] : undefined;
  const issued = typeof body['issued_at'] === 'string' ? Date.parse(body['issued_at']) : NaN;
  return { token, expiresIn, issuedAt: Number.isNaN(issued) ? undefined : issued };
}
