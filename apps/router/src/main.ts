import cluster from 'node:cluster';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { BerthConfig } from '@berth/config';
import { RouterModule } from '@berth/router';
import { routerWorkerCount, superviseRouterWorkers } from './router-workers';

export async function createRouter(config: BerthConfig): Promise<INestApplicationContext> {
  const context = await NestFactory.createApplicationContext(RouterModule.forRoot(config), { bufferLogs: true });
  context.useLogger(context.get(Logger));
  context.enableShutdownHooks();
  return context;
}

export async function runRouter(config: BerthConfig): Promise<void> {
  const workers = routerWorkerCount(config.router.workers);
  if (workers > 1 && cluster.isPrimary) {
    return superviseRouterWorkers(workers, (line) => process.stderr.write(`${line}\n`));
  }
  await createRouter(config);
}
