import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnModuleInit } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { CommitStatusService, GithubPushService } from '@berth/github';
import { JobName, JobPayloads, QueueName } from '@berth/queue';
import { AppBuildLocks } from './app-build-locks';
import { BuildJobHandler } from './build-job.handler';

const RETRY_LOCKED_MS = 1_000;

/**
 * Builds are serialized per app and run in parallel across apps, up to BERTH_BUILD_CONCURRENCY.
 * GitHub push deliveries share the queue: their fetch is the first step of a build.
 */
@Processor(QueueName.Builds)
export class BuildsProcessor extends WorkerHost implements OnModuleInit {
  constructor(
    private readonly handler: BuildJobHandler,
    private readonly locks: AppBuildLocks,
    private readonly githubPushes: GithubPushService,
    private readonly commitStatuses: CommitStatusService,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.buildConcurrency;
  }

  async process(job: Job, token?: string): Promise<void> {
    if (job.name === JobName.GithubPush) return this.githubPushes.process((job.data as JobPayloads[JobName.GithubPush]).deliveryId);
    if (job.name !== JobName.RunBuild) throw new Error(`the builds queue has no handler for job "${job.name}"`);
    const { buildId } = job.data as JobPayloads[JobName.RunBuild];
    const release = await this.locks.tryLock(buildId);
    if (!release) {
      // Another build of this app is running: come back later and leave the slot to other apps.
      await job.moveToDelayed(Date.now() + RETRY_LOCKED_MS, token);
      throw new DelayedError();
    }
    try {
      await this.handler.run(buildId);
    } finally {
      await release();
      // Best effort, and only for builds a webhook started with a token on the link.
      await this.commitStatuses.buildFinished(buildId);
    }
  }
}
