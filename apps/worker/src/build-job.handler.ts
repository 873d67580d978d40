import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { APP_EVENTS, AppEventSink } from '@berth/app-logs';
import { AppEntity, BuildEntity, BuildStatus } from '@berth/db';
import { BUILD_PIPELINE, BuildPipeline } from './build-pipeline.port';
import { BuildReleaser } from './build-releaser';

/**
 * Runs one build job, then releases and deploys what it built. Idempotent: a job delivered
 * again for a build that already finished does nothing. Failures are recorded on the build
 * (or its release), then rethrown so the queue sees them.
 */
@Injectable()
export class BuildJobHandler {
  private readonly logger = new Logger(BuildJobHandler.name);

  constructor(
    @InjectRepository(BuildEntity) private readonly builds: Repository<BuildEntity>,
    @Inject(BUILD_PIPELINE) private readonly pipeline: BuildPipeline,
    private readonly releaser: BuildReleaser,
    @InjectRepository(AppEntity) private readonly apps: Repository<AppEntity>,
    @Inject(APP_EVENTS) private readonly events: AppEventSink,
  ) {}

  async run(buildId: string): Promise<void> {
    const claimed = await this.claim(buildId);
    if (!claimed) {
      this.logger.log(`build ${buildId} is already finished or gone; nothing to do`);
      return;
    }
    const described = await this.describe(buildId);
    if (described) await this.events.emit({ app: described.app, message: `build ${described.what} started` });
    let imageDigest: string;
    try {
      imageDigest = (await this.pipeline.run(buildId)).imageDigest;
      await this.finish(buildId, { status: BuildStatus.Succeeded, imageDigest });
    } catch (error) {
      await this.finish(buildId, { status: BuildStatus.Failed, error: (error as Error).message });
      if (described) await this.events.emit({ app: described.app, level: 'error', message: `build ${described.what} failed: ${(error as Error).message}` });
      throw error;
    }
    const build = await this.builds.findOneByOrFail({ id: buildId });
    if (!build.commitSha) return;
    try {
      await this.releaser.release(build, imageDigest);
    } catch (error) {
      // Failing before a release exists (a bad Procfile) fails the build, so the push ends too.
      if (!(await this.releaser.hasRelease(build.id))) await this.finish(buildId, { status: BuildStatus.Failed, error: (error as Error).message });
      throw error;
    }
  }

  /** The app's name and the build as its log names it ("of main 1a2b3c4"), for Berth's events. */
  private async describe(buildId: string): Promise<{ app: string; what: string } | null> {
    const build = await this.builds.findOneByOrFail({ id: buildId });
    const app = await this.apps.findOneBy({ id: build.appId });
    const what = build.commitSha ? `of ${build.branch ?? 'commit'} ${build.commitSha.slice(0, 7)}` : build.id.slice(0, 8);
    return app ? { app: app.name, what } : null;
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
