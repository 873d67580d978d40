import { DynamicModule, Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ensureSystemToken } from '@berth/auth';
import { BerthConfig } from '@berth/config';
import { BerthRegistryImages, RELEASE_IMAGES } from '@berth/deployer';

/** Release images come from Berth's own registry on the api port, pulled with the system token. */
@Global()
@Module({})
export class ReleaseImagesModule {
  static forRoot(config: BerthConfig): DynamicModule {
    return {
      module: ReleaseImagesModule,
      providers: [
        {
          provide: RELEASE_IMAGES,
          inject: [getDataSourceToken()],
          useFactory: async (dataSource: DataSource) => {
            const token = await ensureSystemToken(dataSource, config.dataDir);
            return new BerthRegistryImages(`127.0.0.1:${config.api.port}`, () => token);
          },
        },
      ],
      exports: [RELEASE_IMAGES],
    };
  }
}
