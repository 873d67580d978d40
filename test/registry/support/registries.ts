import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { LayerStore } from '@berth/layer-store';
import { REGISTRY_LAYER_STORE, UploadSessions } from '@berth/registry';
import { createApiApp } from '../../../apps/api/src/create-api-app';
import { createTestEnv, eventually, freePort, TestEnv } from '../../support/test-env';
import { runOk } from './processes';

/** A registry the client tests drive: Berth's, or Debian's docker-registry as the reference. */
export interface RegistryTarget {
  kind: 'berth' | 'reference';
  /** `127.0.0.1:PORT`, as image names and `docker login` spell it. */
  host: string;
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

export interface BerthRegistry extends RegistryTarget {
  kind: 'berth';
  env: TestEnv;
  app: NestExpressApplication;
  store: LayerStore;
  uploads: UploadSessions;
  uploadsDir: string;
}

/** The api with its registry, from createApiApp, on a free loopback port of this process. */
export async function startBerthRegistry(): Promise<BerthRegistry> {
  const env = await createTestEnv();
  const app = await createApiApp({ ...env.config, log: { level: 'warn', pretty: false } });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    kind: 'berth',
    host,
    url: `http://${host}`,
    username: 'berth',
    password: env.adminToken,
    env,
    app,
    store: app.get<LayerStore>(REGISTRY_LAYER_STORE),
    uploads: app.get(UploadSessions),
    uploadsDir: path.join(env.config.dataDir, 'registry', 'uploads'),
    stop: async () => {
      await app.close();
      await env.dispose();
    },
  };
}

/**
 * Debian's docker-registry (distribution 2.8) on a free loopback port, with a temp storage
 * directory and htpasswd auth. The bcrypt hash comes from perl's crypt(), which uses the
 * system's libxcrypt: no apache2-utils needed.
 */
export async function startReferenceRegistry(): Promise<RegistryTarget> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-reference-registry-'));
  const port = await freePort();
  const password = `reference-${randomBytes(8).toString('hex')}`;
  await fs.writeFile(path.join(dir, 'htpasswd'), `berth:${await bcrypt(password)}\n`);
  await fs.writeFile(path.join(dir, 'config.yml'), referenceConfig(dir, port));
  const child = spawn('/usr/bin/docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/v2/`).catch(() => null))?.status === 401, 20_000, 'docker-registry to answer').catch(
    (error: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${error.message}\n${Buffer.concat(log).toString('utf8')}`);
    },
  );
  return {
    kind: 'reference',
    host: `127.0.0.1:${port}`,
    url,
    username: 'berth',
    password,
    stop: async () => {
      await stopChild(child);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

function referenceConfig(dir: string, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    'auth:',
    '  htpasswd:',
    '    realm: Berth',
    `    path: ${path.join(dir, 'htpasswd')}`,
    '',
  ].join('\n');
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

async function bcrypt(password: string): Promise<string> {
  const salt = Array.from(randomBytes(22), (byte) => BCRYPT_ALPHABET[byte % 64]).join('');
  // The last salt character only carries 2 bits; crypt() wants one of these.
  const saltString = `$2b$05$${salt.slice(0, 21)}${'.Oeu'[randomBytes(1)[0] % 4]}`;
  const { stdout } = await runOk('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, saltString]);
  if (!stdout.startsWith('$2b$')) throw new Error(`perl's crypt() does not do bcrypt here (got ${JSON.stringify(stdout)})`);
  return stdout;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
