import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BuildEntity, BuildSource, BuildStatus, GithubLinkEntity, ReleaseEntity, ReleaseStatus } from '@berth/db';
import { SecretBox } from '@berth/secrets';
import { COMMIT_STATUS_REPORTER, CommitState, CommitStatusReporter } from './commit-status';
import { GITHUB_SECRET_BOX } from './github-links.service';

const DESCRIPTIONS: Record<CommitState, string> = {
  pending: 'Berth is building and deploying this commit',
  success: 'Deployed by Berth',
  failure: 'Berth could not build or deploy this commit',
  error: 'Berth could not build or deploy this commit',
};

/**
 * Commit statuses for builds a webhook started, when the link has a token. Reporting is best
 * effort: a failure is logged and never fails the build or its deploy.
 */
@Injectable()
export class CommitStatusService {
  private readonly logger = new Logger(CommitStatusService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(COMMIT_STATUS_REPORTER) private readonly reporter: CommitStatusReporter,
    @Inject(GITHUB_SECRET_BOX) private readonly box: SecretBox,
  ) {}

  /** After a build job: success when its release was deployed, error when a newer build superseded it, failure otherwise. */
  async buildFinished(buildId: string): Promise<void> {
    const build = await this.dataSource.getRepository(BuildEntity).findOneBy({ id: buildId });
    if (!build || build.source !== BuildSource.Webhook) return;
    if (build.status === BuildStatus.Superseded || build.status === BuildStatus.Cancelled) return this.report(buildId, 'error', `Not deployed: the build was ${build.status}`);
    const deployed = await this.dataSource.getRepository(ReleaseEntity).countBy({ buildId, status: ReleaseStatus.Deployed });
    await this.report(buildId, deployed > 0 ? 'success' : 'failure');
  }

  async report(buildId: string, state: CommitState, description = DESCRIPTIONS[state]): Promise<void> {
    try {
      const build = await this.dataSource.getRepository(BuildEntity).findOneBy({ id: buildId });
      if (!build?.commitSha || build.source !== BuildSource.Webhook) return;
      const link = await this.dataSource.getRepository(GithubLinkEntity).findOneBy({ appId: build.appId });
      if (!link?.tokenEncrypted) return;
      await this.reporter.report({
        repository: link.repository,
        sha: build.commitSha,
        state,
        description,
        targetUrl: `${link.berthUrl}/api/builds/${build.id}/log`,
        token: await this.box.open(link.tokenEncrypted),
      });
    } catch (error) {
      this.logger.warn(`commit status ${state} for build ${buildId} not reported: ${(error as Error).message}`);
    }
  }
}
