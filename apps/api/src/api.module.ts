import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AppsModule } from '@berth/apps';
import { AuthModule } from '@berth/auth';
import { BerthConfig, ConfigModule } from '@berth/config';
import { DbModule } from '@berth/db';
import { LoggingModule } from '@berth/logging';
import { QueueModule } from '@berth/queue';
import { RuntimeModule } from '@berth/runtime';
import { AppsController } from './apps/apps.controller';
import { HealthController } from './health/health.controller';
import { ReadinessService } from './health/readiness.service';
import { BearerAuthGuard } from './http/auth.guard';
import { ApiExceptionFilter } from './http/exception.filter';

@Module({})
export class ApiModule {
  static forRoot(config: BerthConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, 'api'),
        DbModule.forRoot(config.databaseUrl),
        QueueModule.forRoot(config.redis),
        RuntimeModule.forRoot(config.dockerHost),
        AuthModule,
        AppsModule,
      ],
      controllers: [HealthController, AppsController],
      providers: [
        ReadinessService,
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
