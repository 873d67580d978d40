import { Controller, Get, Inject, Param } from '@nestjs/common';
import { AppsService } from '@berth/apps';
import { CONTAINER_RUNTIME, ContainerRuntime, ContainerStats } from '@berth/runtime';
import { instanceView } from '../apps/app.presenter';

const NO_STATS: Record<keyof ContainerStats, null> = { cpuPercent: null, memoryBytes: null, memoryLimitBytes: null };

/** The app's live instances with their CPU and memory use, sampled from Docker on each request. */
@Controller('api/apps/:name/instances')
export class InstancesController {
  constructor(
    private readonly apps: AppsService,
    @Inject(CONTAINER_RUNTIME) private readonly runtime: ContainerRuntime,
  ) {}

  @Get()
  async list(@Param('name') name: string) {
    const { instances } = await this.apps.details(name);
    // Docker takes about a second per sample; sampling in parallel keeps the answer at one second.
    return Promise.all(
      instances.map(async (instance) => {
        const stats = instance.containerId ? await this.runtime.stats(instance.containerId).catch(() => null) : null;
        return { ...instanceView(instance), ...(stats ?? NO_STATS) };
      }),
    );
  }
}
