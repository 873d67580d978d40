import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AppEventsModule } from '@berth/app-logs';
import { AppsModule } from '@berth/apps';
import { AuthModule } from '@berth/auth';
import { CertificatesModule } from '@berth/certificates';
import { BerthConfig, ConfigModule } from '@berth/config';
import { DbModule } from '@berth/db';
import { LoggingModule } from '@berth/logging';
import { RouterControlModule } from '@berth/deployer';
import { GitModule } from '@berth/git';
import { GithubModule } from '@berth/github';
import { QueueModule } from '@berth/queue';
import { ReleasesModule } from '@berth/releases';
import { RegistryModule } from '@berth/registry';
import { RuntimeModule } from '@berth/runtime';
import { AppsController } from './apps/apps.controller';
import { BuildsController } from './builds/builds.controller';
import { DomainsController } from './domains/domains.controller';
import { GithubController } from './github/github.controller';
import { WebhooksController } from './github/webhooks.controller';
import { FormationService } from './releases/formation.service';
import { ReleasesController } from './releases/releases.controller';
import { ApiGitModule } from './git/git.module';
import { InstancesController } from './instances/instances.controller';
import { HealthController } from './health/health.controller';
import { LogsController } from './logs/logs.controller';
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
        RuntimeModule.forRoot(config.dockerHost, config.installationId),
        AppEventsModule,
        GitModule.forRoot(config.dataDir),
        RouterControlModule.forRoot(config.redis),
        ApiGitModule.forRoot(config.dataDir),
        AuthModule,
        AppsModule,
        ReleasesModule,
        RegistryModule,
        GithubModule.forRoot(config),
        CertificatesModule.forRoot(config, { issuer: false }),
      ],
      controllers: [HealthController, AppsController, BuildsController, ReleasesController, DomainsController, InstancesController, LogsController, GithubController, WebhooksController],
      providers: [
        ReadinessService,
        FormationService,
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
