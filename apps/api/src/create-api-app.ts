import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { BerthConfig } from '@berth/config';
import { RegistryRouter } from '@berth/registry';
import { ApiModule } from './api.module';
import { consoleMiddleware } from './console/console-static';
import { GitRouter } from './git/git-router';
import { sendError } from './http/exception.filter';
import { jsonBodyParser } from './http/json-body.middleware';

/** The api as an unstarted Nest application: main() listens on it, tests drive it with supertest. */
export async function createApiApp(config: BerthConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // The OCI registry streams blobs and answers in its own error format, so it sits outside
  // Nest's pipeline and before any body parser; uploads of big layers outlast Node's default
  // 5-minute request timeout, so that is off and the registry cuts idle uploads itself.
  app.use('/v2', app.get(RegistryRouter).router);
  app.getHttpServer().requestTimeout = 0;
  app.use(app.get(GitRouter).middleware);
  app.use('/api', jsonBodyParser());
  app.use(consoleMiddleware());
  // Errors raised by plain Express middleware (the body parser) get the same JSON answer.
  const errorLogger = new NestLogger('Errors');
  app.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (!error) return next();
    sendError(error, request, response, errorLogger);
  });
  app.enableShutdownHooks();
  return app;
}
