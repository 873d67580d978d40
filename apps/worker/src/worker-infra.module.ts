import path from 'node:path';
import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ensureSystemToken } from '@berth/auth';
import { ImageBuilder, NodeCommandRunner } from '@berth/builder';
import { BuildLogs } from '@berth/builds';
import { BerthConfig } from '@berth/config';
import { BerthRegistryImages, RELEASE_IMAGES } from '@berth/deployer';
import { LayerStore } from '@berth/layer-store';
import { RegistryBaseImageFetcher } from '@berth/registry-client';
import { BUILD_LOGS, IMAGE_BUILDER, LAYER_STORE, RELEASE_LOGS } from './worker.tokens';

/**
 * The worker's side-effecting parts, global so the deployer module sees them too: the layer
 * store, the builder, log files, and release images in Berth's own registry on the api port,
 * pulled with the system token.
 */
@Global()
@Module({})
export class WorkerInfraModule {
  static forRoot(config: BerthConfig): DynamicModule {
    const providers: Provider[] = [
      { provide: LAYER_STORE, useFactory: () => LayerStore.open({ root: path.join(config.dataDir, 'layers') }) },
      {
        provide: IMAGE_BUILDER,
        inject: [LAYER_STORE],
        useFactory: (store: LayerStore) =>
          new ImageBuilder({
            store,
            runner: new NodeCommandRunner(),
            ociRuntime: config.ociRuntime,
            workDir: path.join(config.dataDir, 'tmp', 'builds'),
            baseImages: RegistryBaseImageFetcher.fromConfig(config, store),
          }),
      },
      { provide: BUILD_LOGS, useValue: new BuildLogs(config.dataDir) },
      { provide: RELEASE_LOGS, useValue: new BuildLogs(config.dataDir, 'releases') },
      {
        provide: RELEASE_IMAGES,
        inject: [getDataSourceToken(), LAYER_STORE],
        useFactory: async (dataSource: DataSource, store: LayerStore) => {
          const token = await ensureSystemToken(dataSource, config.dataDir);
          return new BerthRegistryImages(store, `127.0.0.1:${config.api.port}`, () => token);
        },
      },
    ];
    return { module: WorkerInfraModule, providers, exports: providers.map((provider) => (provider as { provide: symbol }).provide) };
  }
}
