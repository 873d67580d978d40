import path from 'node:path';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { ImageBuilder, NodeCommandRunner } from '@berth/builder';
import { BuildLogs } from '@berth/builds';
import { BerthConfig, ConfigModule } from '@berth/config';
import { DbModule } from '@berth/db';
import { GitRepositories } from '@berth/git';
import { LayerStore } from '@berth/layer-store';
import { LoggingModule } from '@berth/logging';
import { QueueModule } from '@berth/queue';
import { RuntimeModule } from '@berth/runtime';
import { DeployerModule } from '@berth/deployer';
import { BuildJobHandler } from './build-job.handler';
import { BuildReleaser } from './build-releaser';
import { ReleaseImagesModule } from './release-images.module';
import { BUILD_PIPELINE } from './build-pipeline.port';
import { BuildsProcessor } from './builds.processor';
import { GitBuildPipeline } from './git-build.pipeline';
import { BUILD_LOGS, GIT_REPOSITORIES, IMAGE_BUILDER, LAYER_STORE } from './worker.tokens';

function builderProviders(config: BerthConfig): Provider[] {
  return [
    { provide: LAYER_STORE, useFactory: () => LayerStore.open({ root: path.join(config.dataDir, 'layers') }) },
    {
      provide: IMAGE_BUILDER,
      inject: [LAYER_STORE],
      useFactory: (store: LayerStore) =>
        new ImageBuilder({ store, runner: new NodeCommandRunner(), ociRuntime: config.ociRuntime, workDir: path.join(config.dataDir, 'tmp', 'builds') }),
    },
    { provide: GIT_REPOSITORIES, useValue: new GitRepositories(config.dataDir) },
    { provide: BUILD_LOGS, useValue: new BuildLogs(config.dataDir) },
  ];
}

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
        ReleaseImagesModule.forRoot(config),
        DeployerModule.forRoot({ redis: config.redis }),
      ],
      providers: [
        ...builderProviders(config),
        BuildJobHandler,
        BuildReleaser,
        BuildsProcessor,
        { provide: BUILD_PIPELINE, useClass: GitBuildPipeline },
      ],
    };
  }
}
