import http from 'node:http';
import net from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { RouterLimits } from '@berth/config';
import { RedisRouterControl } from '@berth/deployer';
import { redisOptionsFromUrl } from '@berth/queue';
import { createRouter } from '../../apps/router/src/main';
import { createTestEnv, freePort, TestEnv } from '../support/test-env';

/** A real router process role (Nest context) of its own test installation, with rows a test writes. */
export interface RouterFixture {
  env: TestEnv;
  port: number;
  /** Adds an app whose running web instances listen on `ports`; routers reload before this resolves. */
  addApp(name: string, ports: number[], maxBodyBytes?: number): Promise<void>;
  /** Marks the instance on `port` draining and runs the deployer's switch-and-drain, as a deploy does. */
  drain(app: string, port: number): Promise<void>;
  close(): Promise<void>;
}

export async function startRouter(limits: Partial<RouterLimits> = {}): Promise<RouterFixture> {
  const env = await createTestEnv();
  const base = env.config.router;
  const config = { ...env.config, router: { ...base, port: await freePort(), limits: { ...base.limits, ...limits } } };
  const router: INestApplicationContext = await createRouter(config);
  const db = new Client({ connectionString: env.config.databaseUrl });
  await db.connect();
  const redis = new IORedis(redisOptionsFromUrl(env.config.redis.url));
  const control = new RedisRouterControl(redis, env.config.redis.prefix);
  return {
    env,
    port: config.router.port,
    async addApp(name, ports, maxBodyBytes) {
      const [app] = (await db.query(`INSERT INTO apps (name, max_body_bytes) VALUES ($1, $2) RETURNING id`, [name, maxBodyBytes ?? null])).rows;
      const [release] = (await db.query(`INSERT INTO releases (app_id, version, description) VALUES ($1, 1, 'test') RETURNING id`, [app.id])).rows;
      for (const port of ports) {
        await db.query(`INSERT INTO instances (app_id, release_id, process_type, port, status) VALUES ($1, $2, 'web', $3, 'running')`, [app.id, release.id, port]);
      }
      await control.switchAndDrain(name, []);
    },
    async drain(app, port) {
      await db.query(`UPDATE instances SET status = 'draining' WHERE port = $1`, [port]);
      await control.switchAndDrain(app, [port]);
    },
    async close() {
      await router.close();
      redis.disconnect();
      await db.end();
      await env.dispose();
    },
  };
}

/** An app instance on loopback: a node http server (upgrades go to `onUpgrade` when given). */
export async function startUpstream(
  handler: http.RequestListener,
  onUpgrade?: (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => void,
): Promise<{ port: number; server: http.Server; close(): Promise<void> }> {
  const server = http.createServer(handler);
  // Upgraded sockets are the app's alone: closeAllConnections() does not see them, and one left
  // half-open (its client gone) would keep server.close() waiting forever.
  const upgraded = new Set<net.Socket>();
  if (onUpgrade) {
    server.on('upgrade', (request, socket: net.Socket, head) => {
      upgraded.add(socket.once('close', () => upgraded.delete(socket)));
      onUpgrade(request, socket, head);
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends raw bytes on a new connection and collects everything until the router closes it. */
export function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`connection still open after ${timeoutMs} ms`)));
  });
}

/** A port on which nothing listens (a dead instance). */
export async function deadPort(): Promise<number> {
  return freePort();
}
