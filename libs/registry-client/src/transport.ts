import { RegistryClientError, RegistryClientErrorCode } from './errors';

export type FetchFunction = typeof fetch;

/** Bounded exponential backoff for 429, 5xx and connection errors. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** 501 and 505 say the server will never do it; retrying them only wastes time. */
const PERMANENT_SERVER_ERRORS = new Set([501, 505]);

export interface HttpRequest {
  method: 'GET' | 'HEAD';
  url: URL;
  headers?: Record<string, string>;
  /**
   * Sent to the origin of `url` only. Once a redirect leaves that origin (blob downloads go to
   * CDNs) it is dropped for the rest of the chain, even if a later hop comes back.
   */
  authorization?: string;
}

export interface HttpTransportOptions {
  fetch: FetchFunction;
  retry: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
}

/** fetch with the registry rules: redirects followed by hand, retries with backoff, network errors named. */
export class HttpTransport {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: HttpTransportOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get retry(): RetryPolicy {
    return this.options.retry;
  }

  /** The final response, whatever its status, once retries are used up or not needed. */
  async send(request: HttpRequest): Promise<Response> {
    const { attempts } = this.options.retry;
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.followRedirects(request);
      } catch (error) {
        if (error instanceof RegistryClientError && error.code !== RegistryClientErrorCode.Unreachable) throw error;
        if (attempt >= attempts) throw error;
        await this.backoff(attempt);
        continue;
      }
      if (!isRetryableStatus(response.status) || attempt >= attempts) return response;
      await discard(response);
      await this.backoff(attempt, retryAfterMs(response.headers.get('retry-after')));
    }
  }

  /** Waits before try number `attempt + 1`. */
  backoff(attempt: number, hintMs?: number): Promise<void> {
    return this.sleep(backoffDelay(this.options.retry, attempt, hintMs));
  }

  private async followRedirects(request: HttpRequest): Promise<Response> {
    const origin = request.url.origin;
    let url = request.url;
    let authorization = request.authorization;
    for (let hop = 0; ; hop += 1) {
      if (url.origin !== origin) authorization = undefined;
      const response = await this.fetchOnce(request, url, authorization);
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
      await discard(response);
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryClientError(
          RegistryClientErrorCode.RegistryError,
          `${request.url.host} redirected more than ${MAX_REDIRECTS} times for ${request.url.pathname}; ` +
            'the registry or a proxy in front of it is misconfigured',
          { url: request.url.toString() },
        );
      }
      url = new URL(location, url);
    }
  }

  private async fetchOnce(request: HttpRequest, url: URL, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { ...request.headers };
    if (authorization !== undefined) headers['authorization'] = authorization;
    try {
      return await this.options.fetch(url, { method: request.method, headers, redirect: 'manual' });
    } catch (error) {
      throw unreachable(url, error);
    }
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && !PERMANENT_SERVER_ERRORS.has(status));
}

/** base * 2^(attempt-1), capped, with jitter so many builders do not retry in step; a server's Retry-After wins if longer. */
export function backoffDelay(policy: RetryPolicy, attempt: number, hintMs?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exponential * (0.5 + Math.random() * 0.5);
  return Math.max(jittered, Math.min(hintMs ?? 0, policy.maxDelayMs));
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Frees the connection of a response whose body nobody will read. */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** The low-level reason fetch gives (ECONNREFUSED, ENOTFOUND, ...) hides in `cause`. */
export function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code ?? (error as NodeJS.ErrnoException | null)?.code;
  return code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export function unreachable(url: URL, error: unknown): RegistryClientError {
  const reason = networkReason(error);
  return new RegistryClientError(
    RegistryClientErrorCode.Unreachable,
    `cannot reach ${url.host} (${reason}) while fetching ${url.protocol}//${url.host}${url.pathname}; ` +
      'check that the host name is right and that this machine can reach it (network, DNS, proxy, firewall)',
    { host: url.host, reason },
  );
}
