import { DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReleasesModule } from '@berth/releases';
import { CONTAINER_RUNTIME, ContainerRuntime } from '@berth/runtime';
import { DbPortAllocator } from './db-port-allocator';
import { HEALTH_PROBE, PORT_ALLOCATOR } from './deployer.ports';
import { RouterControlModule } from './router-control.module';
import { Deployer } from './deployer.service';
import { HealthMonitor } from './health-monitor';
import { InstanceLauncher } from './instance-launcher';
import { InstanceRetirement } from './instance-retirement';
import { Reconciler } from './reconciler';
import { RuntimeHealthProbe } from './runtime-health-probe';

export interface DeployerModuleOptions {
  redis: { url: string; prefix: string };
}

/**
 * Deploys releases and keeps them running (HealthMonitor, Reconciler). The importing application
 * provides RELEASE_IMAGES and APP_EVENTS (globally).
 */
@Module({})
export class DeployerModule {
  static forRoot(options: DeployerModuleOptions): DynamicModule {
    return {
      module: DeployerModule,
      imports: [ReleasesModule, RouterControlModule.forRoot(options.redis)],
      providers: [
        Deployer,
        InstanceLauncher,
        InstanceRetirement,
        HealthMonitor,
        Reconciler,
        { provide: HEALTH_PROBE, inject: [CONTAINER_RUNTIME], useFactory: (runtime: ContainerRuntime) => new RuntimeHealthProbe(runtime) },
        { provide: PORT_ALLOCATOR, inject: [getDataSourceToken()], useFactory: (dataSource: DataSource) => new DbPortAllocator(dataSource) },
      ],
      exports: [Deployer, HealthMonitor, Reconciler, ReleasesModule],
    };
  }
}
