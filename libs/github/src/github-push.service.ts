import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BuildsService } from '@berth/builds';
import { AppEntity, BuildSource, DeliveryResult, GithubDeliveryEntity, GithubLinkEntity } from '@berth/db';
import { GIT_REPOSITORIES, GitRepositories } from '@berth/git';
import { SecretBox } from '@berth/secrets';
import { COMMIT_FETCHER, CommitFetcher } from './commit-fetcher';
import { CommitStatusService } from './commit-status.service';
import { GITHUB_SECRET_BOX } from './github-links.service';

/**
 * The worker's half of a push delivery: fetch the pushed commit from the link's clone URL into
 * the app's bare repository, then queue the same build a git push queues. Deliveries of one app
 * take turns (an advisory lock), so two deliveries of one commit cannot both start a build.
 */
@Injectable()
export class GithubPushService {
  private readonly logger = new Logger(GithubPushService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly builds: BuildsService,
    private readonly statuses: CommitStatusService,
    @Inject(COMMIT_FETCHER) private readonly fetcher: CommitFetcher,
    @Inject(GIT_REPOSITORIES) private readonly repositories: GitRepositories,
    @Inject(GITHUB_SECRET_BOX) private readonly box: SecretBox,
  ) {}

  async process(deliveryId: string): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const delivery = await runner.manager.findOneBy(GithubDeliveryEntity, { id: deliveryId });
      if (!delivery) return;
      const key = `berth.github:${delivery.appId}`;
      await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [key]);
      try {
        await this.processLocked(deliveryId);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [key]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  private async processLocked(deliveryId: string): Promise<void> {
    const repo = this.dataSource.getRepository(GithubDeliveryEntity);
    const delivery = await repo.findOneBy({ id: deliveryId });
    // A job delivered twice finds its delivery already handled.
    if (!delivery || delivery.result !== DeliveryResult.Queued || !delivery.afterSha) return;
    const finish = async (result: DeliveryResult, detail: string | null, buildId: string | null = null): Promise<void> => {
      await repo.update({ id: deliveryId }, { result, detail, buildId });
    };
    const app = await this.dataSource.getRepository(AppEntity).findOneBy({ id: delivery.appId });
    const link = await this.dataSource.getRepository(GithubLinkEntity).findOneBy({ appId: delivery.appId });
    if (!app || !link) return finish(DeliveryResult.Failed, 'the app or its GitHub link is gone');
    const busy = await this.alreadyHandled(app.id, delivery.afterSha);
    if (busy) return finish(DeliveryResult.Skipped, busy);
    try {
      await this.fetcher.fetch({
        gitDir: this.repositories.path(app.name),
        url: link.cloneUrl,
        branch: link.branch,
        commit: delivery.afterSha,
        targetRef: `refs/heads/${app.deployBranch}`,
        deployKey: link.deployKeyEncrypted ? await this.box.open(link.deployKeyEncrypted) : undefined,
        token: link.tokenEncrypted ? await this.box.open(link.tokenEncrypted) : undefined,
      });
    } catch (error) {
      this.logger.warn(`delivery ${delivery.deliveryId} for ${app.name}: ${(error as Error).message}`);
      return finish(DeliveryResult.Failed, (error as Error).message);
    }
    const build = await this.builds.enqueue({ appId: app.id, commitSha: delivery.afterSha, branch: app.deployBranch, source: BuildSource.Webhook, triggeredBy: null });
    await finish(DeliveryResult.Building, `build ${build.id} queued for ${delivery.afterSha.slice(0, 12)}`, build.id);
    await this.statuses.report(build.id, 'pending');
  }

  /** Why `commit` needs no new build: it is the deployed release's, or a build of it is under way. */
  private async alreadyHandled(appId: string, commit: string): Promise<string | null> {
    const [current]: Array<{ commit_sha: string | null; version: number }> = await this.dataSource.query(
      `SELECT b.commit_sha, r.version FROM releases r LEFT JOIN builds b ON b.id = r.build_id
        WHERE r.app_id = $1 AND r.status = 'deployed' ORDER BY r.version DESC LIMIT 1`,
      [appId],
    );
    if (current?.commit_sha === commit) return `${commit.slice(0, 12)} is already deployed (v${current.version})`;
    const [running]: Array<{ id: string }> = await this.dataSource.query(
      `SELECT b.id FROM builds b WHERE b.app_id = $1 AND b.commit_sha = $2
          AND (b.status IN ('queued', 'running')
               OR (b.status = 'succeeded' AND EXISTS (SELECT 1 FROM releases r WHERE r.build_id = b.id AND r.status IN ('pending', 'deploying'))))
        LIMIT 1`,
      [appId, commit],
    );
    return running ? `build ${running.id} of ${commit.slice(0, 12)} is already in progress` : null;
  }
}
