import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { BerthConfig } from '@berth/config';
import { RouterModule } from '@berth/router';

export async function createRouter(config: BerthConfig): Promise<INestApplicationContext> {
  const context = await NestFactory.createApplicationContext(RouterModule.forRoot(config), { bufferLogs: true });
  context.useLogger(context.get(Logger));
  context.enableShutdownHooks();
  return context;
}

export async function runRouter(config: BerthConfig): Promise<void> {
  await createRouter(config);
}
