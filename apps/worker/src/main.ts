import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { BerthConfig } from '@berth/config';
import { WorkerModule } from './worker.module';

/** The worker is headless: a Nest application context whose processors consume the queues. */
export async function createWorker(config: BerthConfig): Promise<INestApplicationContext> {
  const context = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  context.useLogger(context.get(Logger));
  context.enableShutdownHooks();
  return context;
}

export async function runWorker(config: BerthConfig): Promise<void> {
  await createWorker(config);
  new NestLogger('Worker').log(`worker consuming queues (build concurrency ${config.buildConcurrency})`);
}
