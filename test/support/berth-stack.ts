import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { BerthConfig } from '@berth/config';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createRouter } from '../../apps/router/src/main';
import { createWorker } from '../../apps/worker/src/main';
import { freePort } from './test-env';

/** api, worker and router of one test installation, in this process, on free loopback ports. */
export interface BerthStack {
  config: BerthConfig;
  api: NestExpressApplication;
  apiUrl: string;
  routerPort: number;
  /** The worker's Nest context, for tests that observe its parts (e.g. the events it emits). */
  worker: INestApplicationContext;
  close(): Promise<void>;
}

export async function startBerthStack(base: BerthConfig, overrides: Partial<BerthConfig> = {}): Promise<BerthStack> {
  const config: BerthConfig = {
    ...base,
    ...overrides,
    api: { port: await freePort() },
    router: { ...base.router, port: await freePort() },
    log: { level: 'warn', pretty: false },
  };
  const api = await createApiApp(config);
  await api.listen(config.api.port, '127.0.0.1');
  const worker = await createWorker(config);
  const router = await createRouter(config);
  const contexts: INestApplicationContext[] = [router, worker, api];
  return {
    config,
    api,
    apiUrl: `http://127.0.0.1:${config.api.port}`,
    routerPort: config.router.port,
    worker,
    close: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
    },
  };
}
