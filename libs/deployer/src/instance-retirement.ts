import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { InstanceEntity, InstanceStatus } from '@berth/db';
import { CONTAINER_RUNTIME, ContainerRuntime } from '@berth/runtime';
import { RouterControl, ROUTER_CONTROL } from './deployer.ports';

export const STOP_GRACE_SECONDS = 10;

/**
 * The swap, in the only safe order: new instances join (Running) and old ones leave (Draining)
 * in one transaction; every live router acknowledges that it reloaded and that no request is
 * in flight to the old ports; only then are the old containers sent SIGTERM and removed.
 */
@Injectable()
export class InstanceRetirement {
  private readonly logger = new Logger(InstanceRetirement.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONTAINER_RUNTIME) private readonly runtime: ContainerRuntime,
    @Inject(ROUTER_CONTROL) private readonly router: RouterControl,
  ) {}

  async swap(appName: string, newIds: string[], old: InstanceEntity[], log: (line: string) => void = () => undefined): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (newIds.length) await manager.update(InstanceEntity, { id: In(newIds) }, { status: InstanceStatus.Running });
      if (old.length) await manager.update(InstanceEntity, { id: In(old.map((i) => i.id)) }, { status: InstanceStatus.Draining });
    });
    log('-----> Switching traffic to the new instances');
    try {
      await this.router.switchAndDrain(appName, old.filter((i) => i.port !== null).map((i) => i.port!));
    } catch (error) {
      // The new instances serve already; the old stay draining (never stopped unconfirmed) and the reconciler retries.
      this.logger.warn(`${appName}: ${(error as Error).message}; ${old.length} old instance(s) left draining`);
      log(`       ${(error as Error).message}; the old instances stop once every router confirms`);
      return;
    }
    if (old.length) log(`-----> Stopping ${old.length} old instance(s)`);
    await this.stop(old, STOP_GRACE_SECONDS);
  }

  /** Stops and removes the containers (SIGTERM, SIGKILL after the grace), then records them stopped. */
  async stop(instances: InstanceEntity[], graceSeconds: number, status = InstanceStatus.Stopped): Promise<void> {
    await Promise.all(
      instances.map(async (instance) => {
        if (instance.containerId) {
          await this.runtime.stopContainer(instance.containerId, graceSeconds);
          await this.runtime.removeContainer(instance.containerId);
        }
        await this.dataSource.getRepository(InstanceEntity).update({ id: instance.id }, { status });
      }),
    );
  }
}
