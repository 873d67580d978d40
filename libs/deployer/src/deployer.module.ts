import { DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReleasesModule } from '@berth/releases';
import { CONTAINER_RUNTIME, ContainerRuntime } from '@berth/runtime';
import { DbPortAllocator } from './db-port-allocator';
import { HEALTH_PROBE, PORT_ALLOCATOR } from './deployer.ports';
import { RouterControlModule } from './router-control.module';
import { Deployer } from './deployer.service';
import { InstanceLauncher } from './instance-launcher';
import { RuntimeHealthProbe } from './runtime-health-probe';

export interface DeployerModuleOptions {
  redis: { url: string; prefix: string };
}

/** Deploys releases. The importing application provides RELEASE_IMAGES (globally): where images come from. */
@Module({})
export class DeployerModule {
  static forRoot(options: DeployerModuleOptions): DynamicModule {
    return {
      module: DeployerModule,
      imports: [ReleasesModule, RouterControlModule.forRoot(options.redis)],
      providers: [
        Deployer,
        InstanceLauncher,
        { provide: HEALTH_PROBE, inject: [CONTAINER_RUNTIME], useFactory: (runtime: ContainerRuntime) => new RuntimeHealthProbe(runtime) },
        { provide: PORT_ALLOCATOR, inject: [getDataSourceToken()], useFactory: (dataSource: DataSource) => new DbPortAllocator(dataSource) },
      ],
      exports: [Deployer, ReleasesModule],
    };
  }
}
