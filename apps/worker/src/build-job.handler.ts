import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { BuildEntity, BuildStatus } from '@berth/db';
import { BUILD_PIPELINE, BuildPipeline } from './build-pipeline.port';

/**
 * Runs one build job. Idempotent: a job delivered again for a build that already finished
 * does nothing. Failures are recorded on the build, then rethrown so the queue sees them.
 */
@Injectable()
export class BuildJobHandler {
  private readonly logger = new Logger(BuildJobHandler.name);

  constructor(
    @InjectRepository(BuildEntity) private readonly builds: Repository<BuildEntity>,
    @Inject(BUILD_PIPELINE) private readonly pipeline: BuildPipeline,
  ) {}

  async run(buildId: string): Promise<void> {
    const claimed = await this.claim(buildId);
    if (!claimed) {
      this.logger.log(`build ${buildId} is already finished or gone; nothing to do`);
      return;
    }
    try {
      const result = await this.pipeline.run(buildId);
      await this.finish(buildId, { status: BuildStatus.Succeeded, imageDigest: result.imageDigest });
    } catch (error) {
      await this.finish(buildId, { status: BuildStatus.Failed, error: (error as Error).message });
      throw error;
    }
  }

  /** Moves a queued (or interrupted running) build to running; false when it has finished. */
  private async claim(buildId: string): Promise<boolean> {
    const result = await this.builds.update(
      { id: buildId, status: In([BuildStatus.Queued, BuildStatus.Running]) },
      { status: BuildStatus.Running, startedAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  private async finish(buildId: string, outcome: Partial<BuildEntity>): Promise<void> {
    await this.builds.update({ id: buildId }, { ...outcome, finishedAt: new Date() });
  }
}
