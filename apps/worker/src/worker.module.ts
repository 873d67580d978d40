import { DynamicModule, Module } from '@nestjs/common';
import { BerthConfig, ConfigModule } from '@berth/config';
import { DbModule } from '@berth/db';
import { LoggingModule } from '@berth/logging';
import { QueueModule } from '@berth/queue';
import { RuntimeModule } from '@berth/runtime';
import { BuildJobHandler } from './build-job.handler';
import { BUILD_PIPELINE, UnavailableBuildPipeline } from './build-pipeline.port';
import { BuildsProcessor } from './builds.processor';

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
        RuntimeModule.forRoot(config.dockerHost),
      ],
      providers: [BuildJobHandler, BuildsProcessor, { provide: BUILD_PIPELINE, useClass: UnavailableBuildPipeline }],
    };
  }
}
