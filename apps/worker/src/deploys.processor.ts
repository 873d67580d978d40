import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { BuildLogs } from '@berth/builds';
import { ReleaseStatus } from '@berth/db';
import { Deployer } from '@berth/deployer';
import { JobName, JobPayloads, QueueName } from '@berth/queue';
import { ReleasesService } from '@berth/releases';
import { RELEASE_LOGS } from './worker.tokens';

/**
 * Deploys that no build starts: config changes and rollbacks (a new release each) and scaling.
 * Idempotent: a release already deployed or failed is not deployed again.
 */
@Processor(QueueName.Deploys)
export class DeploysProcessor extends WorkerHost {
  private readonly logger = new Logger(DeploysProcessor.name);

  constructor(
    private readonly deployer: Deployer,
    private readonly releases: ReleasesService,
    @Inject(RELEASE_LOGS) private readonly logs: BuildLogs,
  ) {
    super();
  }

  async process(job: Job): Promise<void> {
    switch (job.name) {
      case JobName.RunDeploy:
        return this.deploy((job.data as JobPayloads[JobName.RunDeploy]).releaseId);
      case JobName.ScaleApp:
        return this.deployer.scale((job.data as JobPayloads[JobName.ScaleApp]).appId, (line) => this.logger.log(line.trim()));
      default:
        throw new Error(`the deploys queue has no handler for job "${job.name}"`);
    }
  }

  private async deploy(releaseId: string): Promise<void> {
    const release = await this.releases.get(releaseId);
    if (!release || release.status === ReleaseStatus.Deployed || release.status === ReleaseStatus.Failed) return;
    await this.deployer.deploy(releaseId, await this.logs.lineWriter(releaseId));
  }
}
