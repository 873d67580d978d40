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
  BERTH_REGISTRY_AUTH: registryAuth.optional(),
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
  router: { port: number; tlsPort?: number; domain: string };
  adminToken?: string;
  ociRuntime: string;
  dockerHost: string;
  buildConcurrency: number;
  /** How long new instances may take to become healthy before a deploy gives up. */
  healthTimeoutMs: number;
  log: { level: string; pretty: boolean };
  /** Apps' runtime logs: the newest `retentionLines` per app are kept. */
  appLogs: { retentionLines: number };
  /** Pulling base images from registries. */
  registryClient: { insecureRegistries: string[]; auth?: RegistryAuthSetting };
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
    router: { port: env.BERTH_ROUTER_PORT, tlsPort: env.BERTH_ROUTER_TLS_PORT, domain: env.BERTH_DOMAIN.toLowerCase() },
    adminToken: env.BERTH_ADMIN_TOKEN,
    ociRuntime: env.BERTH_OCI_RUNTIME,
    dockerHost: env.DOCKER_HOST,
    buildConcurrency: env.BERTH_BUILD_CONCURRENCY,
    healthTimeoutMs: env.BERTH_HEALTH_TIMEOUT * 1000,
    log: { level: env.BERTH_LOG_LEVEL, pretty: env.BERTH_LOG_FORMAT === 'pretty' },
    appLogs: { retentionLines: env.BERTH_LOG_RETENTION_LINES },
    registryClient: { insecureRegistries: env.BERTH_INSECURE_REGISTRIES, auth: resolveAuthPath(env.BERTH_REGISTRY_AUTH, cwd) },
  };
}

function resolveAuthPath(auth: RegistryAuthSetting | undefined, cwd: string): RegistryAuthSetting | undefined {
  return auth !== undefined && 'dockerConfigPath' in auth ? { dockerConfigPath: path.resolve(cwd, auth.dockerConfigPath) } : auth;
}
