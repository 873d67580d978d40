import { DynamicModule, Module } from '@nestjs/common';
import { CONTAINER_RUNTIME } from './container-runtime.port';
import { DockerEngineRuntime } from './docker-engine.runtime';

@Module({})
export class RuntimeModule {
  static forRoot(dockerHost: string, installation: string): DynamicModule {
    return {
      module: RuntimeModule,
      global: true,
      providers: [{ provide: CONTAINER_RUNTIME, useFactory: () => new DockerEngineRuntime(dockerHost, installation) }],
      exports: [CONTAINER_RUNTIME],
    };
  }
}
