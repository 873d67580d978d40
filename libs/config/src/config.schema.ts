import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole port number')
  .min(1, 'must be a port number between 1 and 65535')
  .max(65535, 'must be a port number between 1 and 65535');

function urlWithScheme(schemes: string[]) {
  return z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}` },
  );
}

/** host[:port], as Docker writes registries: a DNS name or IP address, IPv6 in brackets. */
const REGISTRY_HOST = /^(?:[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i;

const registryHostList = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
  .pipe(z.array(z.string().regex(REGISTRY_HOST, 'must be comma-separated host[:port] entries such as "registry.lan:5000", without a scheme')));

const registryCredentials = z.record(z.string().min(1), z.object({ username: z.string(), password: z.string() }));

const REGISTRY_AUTH_SHAPE = 'JSON such as {"ghcr.io": {"username": "...", "password": "..."}} or the path of a docker config.json';

/** Inline JSON credentials, or a path to a docker config.json that the puller reads at each pull. */
const registryAuth = z.string().transform((value, ctx): RegistryAuthSetting => {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return { dockerConfigPath: trimmed };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    ctx.issues.push({ code: 'custom', input: value, message: `must be ${REGISTRY_AUTH_SHAPE} (it starts with "{" but is not valid JSON)` });
    return z.NEVER;
  }
  const credentials = registryCredentials.safeParse(parsed);
  if (!credentials.success) {
    ctx.issues.push({ code: 'custom', input: value, message: `must be ${REGISTRY_AUTH_SHAPE} (each registry needs a username and a password)` });
    return z.NEVER;
  }
  return { credentials: credentials.data };
});

function wholeNumber(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}

/** The environment as Berth reads it: names are the variables, values their raw strings. */
export const environmentSchema = z.object({
  DATABASE_URL: urlWithScheme(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/berth'),
  REDIS_URL: urlWithScheme(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  BERTH_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, "_", "." or "-"')
    .default('berth'),
  BERTH_DATA_DIR: z.string().min(1, 'must not be empty').default('.berth'),
  BERTH_API_PORT: port.default(3000),
  BERTH_ROUTER_PORT: port.default(8080),
  BERTH_ROUTER_TLS_PORT: port.optional(),
  BERTH_DOMAIN: z.string().regex(DNS_NAME, 'must be a DNS name such as "localhost" or "apps.example.com"').default('localhost'),
  BERTH_ADMIN_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{1,256}$/, 'must be 1-256 printable characters without spaces')
    .optional(),
  BERTH_OCI_RUNTIME: z.string().min(1, 'must name an OCI runtime binary such as runc').default('runc'),
  DOCKER_HOST: urlWithScheme(['unix:', 'tcp:', 'http:']).default('unix:///var/run/docker.sock'),
  BERTH_BUILD_CONCURRENCY: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(64, 'must be at most 64')
    .default(() => Math.max(1, os.availableParallelism())),
  BERTH_BUILD_DAEMON: z.enum(['auto', 'off'], { error: 'must be "auto" or "off"' }).default('auto'),
  BERTH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BERTH_LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  BERTH_HEALTH_TIMEOUT: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(3600, 'must be at most 3600 seconds')
    .default(60),
  BERTH_LOG_RETENTION_LINES: z.coerce
    .number({ error: 'must be a number of lines' })
    .int('must be a whole number of lines')
    .min(100, 'must be at least 100 lines')
    .max(100_000_000, 'must be at most 100000000 lines')
    .default(100_000),
  BERTH_INSECURE_REGISTRIES: registryHostList.default([]),
  BERTH_ROUTER_MAX_HEADER_BYTES: wholeNumber(1024, 1024 * 1024).default(16 * 1024),
  BERTH_ROUTER_HEADER_TIMEOUT: wholeNumber(1, 3600).default(10),
  BERTH_ROUTER_KEEPALIVE_TIMEOUT: wholeNumber(1, 3600).default(60),
  BERTH_ROUTER_MAX_CONNECTIONS: wholeNumber(1, 1_000_000).default(10_000),
  BERTH_ROUTER_MAX_BODY_BYTES: wholeNumber(0, Number.MAX_SAFE_INTEGER).default(100 * 1024 * 1024),
  BERTH_ROUTER_DRAIN_GRACE: wholeNumber(0, 25).default(10),
  BERTH_ROUTER_WORKERS: z.union([z.literal('auto'), wholeNumber(1, 64)], { error: 'must be "auto" or a whole number from 1 to 64' }).default('auto'),
  BERTH_REGISTRY_AUTH: registryAuth.optional(),
  BERTH_MASTER_KEY_FILE: z.string().min(1, 'must not be empty').optional(),
  PATH: z.string().default('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
  BERTH_GITHUB_API_URL: urlWithScheme(['https:', 'http:']).default('https://api.github.com'),
  BERTH_ACME_DIRECTORY_URL: urlWithScheme(['https:']).default('https://acme-v02.api.letsencrypt.org/directory'),
  BERTH_ACME_EMAIL: z.email('must be an email address such as ops@example.com').optional(),
  BERTH_ACME_CA_BUNDLE: z.string().min(1, 'must be the path of a PEM file').optional(),
  BERTH_ACME_RENEW_DAYS: z.coerce
    .number({ error: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(80, 'must be at most 80 days')
    .default(30),
});

export type Environment = z.input<typeof environmentSchema>;

/** Where pulls find registry credentials; keyed by registry host[:port], `docker.io` for Docker Hub. */
export type RegistryAuthSetting =
  | { credentials: Record<string, { username: string; password: string }> }
  | { dockerConfigPath: string };

export interface BerthConfig {
  databaseUrl: string;
  redis: { url: string; prefix: string };
  dataDir: string;
  /** Tells this installation's containers from another's on the same Docker Engine (derived from dataDir). */
  installationId: string;
  api: { port: number };
  /**
   * `workers`: router processes sharing the port (node:cluster); 1 runs the router in the role's
   * own process, 'auto' one per core (apps/router resolves it).
   */
  router: { port: number; tlsPort?: number; domain: string; limits: RouterLimits; workers?: number | 'auto' };
  adminToken?: string;
  ociRuntime: string;
  dockerHost: string;
  buildConcurrency: number;
  /** `berth build` through a warm build daemon started on demand ('auto'), or always in-process ('off'). */
  buildDaemon: 'auto' | 'off';
  /** PATH at start: where tools Berth runs with a minimal environment (git for GitHub fetches) are found. */
  searchPath: string;
  /** How long new instances may take to become healthy before a deploy gives up. */
  healthTimeoutMs: number;
  log: { level: string; pretty: boolean };
  /** Apps' runtime logs: the newest `retentionLines` per app are kept. */
  appLogs: { retentionLines: number };
  /** Pulling base images from registries. */
  registryClient: { insecureRegistries: string[]; auth?: RegistryAuthSetting };
  /** The key file secrets at rest are encrypted with; unset means `<dataDir>/master.key`, made on first use. */
  masterKeyFile?: string;
  /** GitHub's REST API, where commit statuses go (a test points it at a local server). */
  github: { apiUrl: string };
  /** Automatic certificates for custom domains (issued only when the router has a TLS port). */
  acme: { directoryUrl: string; email?: string; caBundlePath?: string; renewBeforeMs: number };
}

/** What one client may ask of the router, so no client can starve the others. */
export interface RouterLimits {
  maxHeaderBytes: number;
  /** A client must have sent its whole request head within this, else 408. */
  headerTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** Request body limit for apps without their own `maxBodyBytes`. */
  maxBodyBytes: number;
  /** How long WebSockets and streaming responses to a drained instance may go on before the router closes them. */
  drainGraceMs: number;
}

/** Stable for as long as the data directory stays where it is; two data dirs are two installations. */
export function installationIdOf(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
}

export function toConfig(env: z.output<typeof environmentSchema>, cwd: string): BerthConfig {
  return {
    databaseUrl: env.DATABASE_URL,
    redis: { url: env.REDIS_URL, prefix: env.BERTH_REDIS_PREFIX },
    dataDir: path.resolve(cwd, env.BERTH_DATA_DIR),
    installationId: installationIdOf(path.resolve(cwd, env.BERTH_DATA_DIR)),
    api: { port: env.BERTH_API_PORT },
    router: { port: env.BERTH_ROUTER_PORT, tlsPort: env.BERTH_ROUTER_TLS_PORT, domain: env.BERTH_DOMAIN.toLowerCase(), limits: routerLimits(env), workers: env.BERTH_ROUTER_WORKERS },
    adminToken: env.BERTH_ADMIN_TOKEN,
    ociRuntime: env.BERTH_OCI_RUNTIME,
    dockerHost: env.DOCKER_HOST,
    buildConcurrency: env.BERTH_BUILD_CONCURRENCY,
    buildDaemon: env.BERTH_BUILD_DAEMON,
    searchPath: env.PATH,
    healthTimeoutMs: env.BERTH_HEALTH_TIMEOUT * 1000,
    log: { level: env.BERTH_LOG_LEVEL, pretty: env.BERTH_LOG_FORMAT === 'pretty' },
    appLogs: { retentionLines: env.BERTH_LOG_RETENTION_LINES },
    registryClient: { insecureRegistries: env.BERTH_INSECURE_REGISTRIES, auth: resolveAuthPath(env.BERTH_REGISTRY_AUTH, cwd) },
    masterKeyFile: env.BERTH_MASTER_KEY_FILE === undefined ? undefined : path.resolve(cwd, env.BERTH_MASTER_KEY_FILE),
    github: { apiUrl: env.BERTH_GITHUB_API_URL.replace(/\/+$/, '') },
    acme: {
      directoryUrl: env.BERTH_ACME_DIRECTORY_URL,
      email: env.BERTH_ACME_EMAIL,
      caBundlePath: env.BERTH_ACME_CA_BUNDLE === undefined ? undefined : path.resolve(cwd, env.BERTH_ACME_CA_BUNDLE),
      renewBeforeMs: env.BERTH_ACME_RENEW_DAYS * 24 * 3600 * 1000,
    },
  };
}

function routerLimits(env: z.output<typeof environmentSchema>): RouterLimits {
  return {
    maxHeaderBytes: env.BERTH_ROUTER_MAX_HEADER_BYTES,
    headerTimeoutMs: env.BERTH_ROUTER_HEADER_TIMEOUT * 1000,
    keepAliveTimeoutMs: env.BERTH_ROUTER_KEEPALIVE_TIMEOUT * 1000,
    maxConnections: env.BERTH_ROUTER_MAX_CONNECTIONS,
    maxBodyBytes: env.BERTH_ROUTER_MAX_BODY_BYTES,
    drainGraceMs: env.BERTH_ROUTER_DRAIN_GRACE * 1000,
  };
}

function resolveAuthPath(auth: RegistryAuthSetting | undefined, cwd: string): RegistryAuthSetting | undefined {
  return auth !== undefined && 'dockerConfigPath' in auth ? { dockerConfigPath: path.resolve(cwd, auth.dockerConfigPath) } : auth;
}
