import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { JobName, JobPayloads, QueueName } from '@berth/queue';
import { BuildJobHandler } from './build-job.handler';

@Processor(QueueName.Builds)
export class BuildsProcessor extends WorkerHost implements OnModuleInit {
  constructor(
    private readonly handler: BuildJobHandler,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.buildConcurrency;
  }

  async process(job: Job): Promise<void> {
    switch (job.name) {
      case JobName.RunBuild:
        return this.handler.run((job.data as JobPayloads[JobName.RunBuild]).buildId);
      default:
        throw new Error(`the builds queue has no handler for job "${job.name}"`);
    }
  }
}
