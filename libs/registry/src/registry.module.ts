import { join } from 'node:path';
import { Inject, Injectable, Module } from '@nestjs/common';
import type { Router } from 'express';
import { AuthModule, TokenAuthService } from '@berth/auth';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { LayerStore } from '@berth/layer-store';
import { RegistryAuthenticator } from './registry-auth';
import { createRegistryRouter } from './registry-router';
import { registryUploadsDir, UploadSessions } from './upload-sessions';

/** The layer store the registry serves: the same one `berth build` writes to. */
export const REGISTRY_LAYER_STORE = Symbol('REGISTRY_LAYER_STORE');

/** Holds the Express router that the api mounts at /v2 (see createApiApp). */
@Injectable()
export class RegistryRouter {
  readonly router: Router;

  constructor(@Inject(REGISTRY_LAYER_STORE) store: LayerStore, uploads: UploadSessions, auth: RegistryAuthenticator) {
    this.router = createRegistryRouter({ store, uploads }, auth);
  }
}

@Module({
  imports: [AuthModule],
  providers: [
    {
      provide: REGISTRY_LAYER_STORE,
      inject: [BERTH_CONFIG],
      useFactory: (config: BerthConfig) => LayerStore.open({ root: join(config.dataDir, 'layers') }),
    },
    {
      provide: UploadSessions,
      inject: [BERTH_CONFIG, REGISTRY_LAYER_STORE],
      useFactory: (config: BerthConfig, store: LayerStore) => new UploadSessions(registryUploadsDir(config.dataDir), store.blobs),
    },
    { provide: RegistryAuthenticator, inject: [TokenAuthService], useFactory: (tokens: TokenAuthService) => new RegistryAuthenticator(tokens) },
    RegistryRouter,
  ],
  exports: [RegistryRouter, UploadSessions, REGISTRY_LAYER_STORE],
})
export class RegistryModule {}
