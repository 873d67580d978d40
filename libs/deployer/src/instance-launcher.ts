import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppEntity, InstanceEntity, InstanceStatus, ReleaseEntity } from '@berth/db';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { CONTAINER_RUNTIME, ContainerRuntime } from '@berth/runtime';
import { HEALTH_PROBE, HealthProbe, PORT_ALLOCATOR, PortAllocator } from './deployer.ports';
import { WEB_PROCESS } from './formation';

export interface LaunchedInstance {
  entity: InstanceEntity;
  containerId: string;
  port: number;
}


/** Starts a release's instances (recorded first, so a crash here leaves a trace) and waits for their health. */
@Injectable()
export class InstanceLauncher {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONTAINER_RUNTIME) private readonly runtime: ContainerRuntime,
    @Inject(PORT_ALLOCATOR) private readonly ports: PortAllocator,
    @Inject(HEALTH_PROBE) private readonly health: HealthProbe,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  async launch(app: AppEntity, release: ReleaseEntity, image: string, formation: Record<string, number>): Promise<LaunchedInstance[]> {
    const launched: LaunchedInstance[] = [];
    for (const [process, count] of Object.entries(formation)) {
      const ports = await this.ports.allocate(count);
      for (const port of ports) launched.push(await this.start(app, release, image, process, port));
    }
    return launched;
  }

  async waitHealthy(instances: LaunchedInstance[], log: (line: string) => void): Promise<void> {
    await Promise.all(
      instances.map(async (instance) => {
        const state = await this.runtime.inspectContainer(instance.containerId);
        await this.health.waitHealthy(
          { containerId: instance.containerId, port: instance.port, process: instance.entity.processType, usesImageHealthcheck: state?.health !== undefined },
          this.config.healthTimeoutMs,
        );
        log(`       ${instance.entity.processType}.${instance.entity.id.slice(0, 8)} on port ${instance.port} is healthy`);
      }),
    );
  }

  private async start(app: AppEntity, release: ReleaseEntity, image: string, process: string, port: number): Promise<LaunchedInstance> {
    const repository = this.dataSource.getRepository(InstanceEntity);
    const entity = await repository.save(repository.create({ appId: app.id, releaseId: release.id, processType: process, port, status: InstanceStatus.Starting }));
    const command = release.processTypes[process];
    const containerId = await this.runtime.startInstance({
      app: app.name,
      instanceId: entity.id,
      releaseId: release.id,
      version: release.version,
      process,
      image,
      command: process === WEB_PROCESS && !command ? undefined : command,
      env: release.config,
      port,
      memoryBytes: app.memoryMb ? app.memoryMb * 1024 * 1024 : undefined,
      cpus: app.cpus ?? undefined,
    });
    await repository.update({ id: entity.id }, { containerId });
    entity.containerId = containerId;
    return { entity, containerId, port };
  }
}
