import { DynamicModule, Module } from '@nestjs/common';
import { AppEventsModule, LogCollectorModule } from '@berth/app-logs';
import { CertificatesModule } from '@berth/certificates';
import { BerthConfig, ConfigModule } from '@berth/config';
import { DbModule } from '@berth/db';
import { DeployerModule } from '@berth/deployer';
import { GitModule } from '@berth/git';
import { GithubModule } from '@berth/github';
import { LoggingModule } from '@berth/logging';
import { QueueModule } from '@berth/queue';
import { RuntimeModule } from '@berth/runtime';
import { AppBuildLocks } from './app-build-locks';
import { BuildJobHandler } from './build-job.handler';
import { BUILD_PIPELINE } from './build-pipeline.port';
import { BuildReleaser } from './build-releaser';
import { BuildsProcessor } from './builds.processor';
import { CertificatesProcessor } from './certificates.processor';
import { DeploysProcessor } from './deploys.processor';
import { GitBuildPipeline } from './git-build.pipeline';
import { InstanceSupervisor } from './instance-supervisor';
import { MaintenanceService } from './maintenance.service';
import { WorkerInfraModule } from './worker-infra.module';

@Module({})
export class WorkerModule {
  static forRoot(config: BerthConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, 'worker'),
        DbModule.forRoot(config.databaseUrl),
        QueueModule.forRoot(config.redis),
        RuntimeModule.forRoot(config.dockerHost, config.installationId),
        AppEventsModule,
        LogCollectorModule,
        GitModule.forRoot(config.dataDir),
        WorkerInfraModule.forRoot(config),
        DeployerModule.forRoot({ redis: config.redis }),
        GithubModule.forRoot(config),
        CertificatesModule.forRoot(config, { issuer: true }),
      ],
      providers: [AppBuildLocks, BuildJobHandler, BuildReleaser, BuildsProcessor, CertificatesProcessor, DeploysProcessor, InstanceSupervisor, MaintenanceService, { provide: BUILD_PIPELINE, useClass: GitBuildPipeline }],
    };
  }
}
