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
});

export type Environment = z.input<typeof environmentSchema>;

export interface BerthConfig {
  databaseUrl: string;
  redis: { url: string; prefix: string };
  dataDir: string;
  api: { port: number };
  router: { port: number; tlsPort?: number; domain: string };
  adminToken?: string;
  ociRuntime: string;
  dockerHost: string;
  buildConcurrency: number;
  log: { level: string; pretty: boolean };
}

export function toConfig(env: z.output<typeof environmentSchema>, cwd: string): BerthConfig {
  return {
    databaseUrl: env.DATABASE_URL,
    redis: { url: env.REDIS_URL, prefix: env.BERTH_REDIS_PREFIX },
    dataDir: path.resolve(cwd, env.BERTH_DATA_DIR),
    api: { port: env.BERTH_API_PORT },
    router: { port: env.BERTH_ROUTER_PORT, tlsPort: env.BERTH_ROUTER_TLS_PORT, domain: env.BERTH_DOMAIN.toLowerCase() },
    adminToken: env.BERTH_ADMIN_TOKEN,
    ociRuntime: env.BERTH_OCI_RUNTIME,
    dockerHost: env.DOCKER_HOST,
    buildConcurrency: env.BERTH_BUILD_CONCURRENCY,
    log: { level: env.BERTH_LOG_LEVEL, pretty: env.BERTH_LOG_FORMAT === 'pretty' },
  };
}
