import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { ensureAdminToken, generateToken } from '@berth/auth';
import { BerthConfig, installationIdOf, loadConfig } from '@berth/config';
import { createDataSource, runMigrations } from '@berth/db';
import { redisOptionsFromUrl } from '@berth/queue';

/**
 * One isolated Berth installation per test file: its own database, Redis key prefix, data
 * directory and admin token, against the real Postgres, Redis and Docker from bootstrap.
 */
export interface TestEnv {
  id: string;
  config: BerthConfig;
  adminToken: string;
  /** The environment a child `berth` process needs to use this installation. */
  processEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
  dispose(): Promise<void>;
}

export async function createTestEnv(options: { migrate?: boolean } = {}): Promise<TestEnv> {
  const base = loadConfig(process.env);
  const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = withDatabase(base.databaseUrl, `berth_test_${id}`);
  await adminQuery(base.databaseUrl, `CREATE DATABASE "berth_test_${id}"`);
  const adminToken = generateToken();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-test-'));
  const config: BerthConfig = { ...base, databaseUrl, adminToken, dataDir, installationId: installationIdOf(dataDir), redis: { ...base.redis, prefix: `berth-test-${id}` } };
  if (options.migrate !== false) {
    await runMigrations(databaseUrl);
    const dataSource = await createDataSource(databaseUrl).initialize();
    await ensureAdminToken(dataSource, adminToken).finally(() => dataSource.destroy());
  }
  return {
    id,
    config,
    adminToken,
    processEnv: (extra = {}) => ({
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: config.redis.url,
      BERTH_REDIS_PREFIX: config.redis.prefix,
      BERTH_DATA_DIR: dataDir,
      BERTH_ADMIN_TOKEN: adminToken,
      ...extra,
    }),
    dispose: async () => {
      await adminQuery(base.databaseUrl, `DROP DATABASE IF EXISTS "berth_test_${id}" WITH (FORCE)`);
      await deleteRedisKeys(config.redis.url, config.redis.prefix);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(databaseUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisOptionsFromUrl(redisUrl));
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A port that was free a moment ago, for servers a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `check` resolves truthy or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}
