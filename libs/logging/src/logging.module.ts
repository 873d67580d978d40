import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { BerthConfig } from '@berth/config';

const QUIET_PATHS = new Set(['/healthz', '/readyz']);
/** Nest's per-module start-up chatter; errors from these contexts still get through. */
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);
const INFO = 30;

/** pino for every process: JSON by default, pretty when `berth up` runs in a terminal. */
@Module({})
export class LoggingModule {
  static forRoot(config: BerthConfig, processName: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.log.level,
            base: { process: processName },
            transport: config.log.pretty
              ? { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname,process,req,res', colorize: true } }
              : undefined,
            // EventSource streams may carry the API token in the URL; it never reaches a log.
            serializers: { req: (request: { url?: string }) => ({ ...request, url: request.url?.replace(/([?&]access_token=)[^&]*/, '$1[Redacted]') }) },
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-hub-signature-256"]'],
            hooks: {
              logMethod(args, method, level) {
                const context = (args[0] as { context?: string } | undefined)?.context;
                if (level <= INFO && context && QUIET_CONTEXTS.has(context)) return;
                method.apply(this, args);
              },
            },
            autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.has(request.url ?? '') },
          },
        }),
      ],
    };
  }
}
