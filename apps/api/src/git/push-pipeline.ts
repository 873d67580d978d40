import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AppsService } from '@berth/apps';
import { BuildLogs, BuildsService } from '@berth/builds';
import { AppEntity, BuildSource, BuildStatus, FINISHED_BUILD_STATUSES, ReleaseEntity, ReleaseStatus } from '@berth/db';
import { GitRepositories } from '@berth/git';
import { AppPushLock } from './app-push-lock';
import { PushSession } from './push-sessions';
import { BUILD_LOGS, GIT_REPOSITORIES } from './git.tokens';

export interface RefUpdate {
  oldRev: string;
  newRev: string;
  ref: string;
}

const ZERO_OID = /^0+$/;
const HEAD_SETTLE_MS = 10_000;

/**
 * One push, from its pre-receive hook: the deploy branch is built, released and deployed while
 * the client waits, the log streaming back; other branches are only stored. Pushes to one app
 * take turns, and a push based on a revision that is no longer the branch head is refused.
 */
@Injectable()
export class PushPipeline {
  private readonly lock = new AppPushLock();

  constructor(
    private readonly apps: AppsService,
    private readonly builds: BuildsService,
    @InjectRepository(ReleaseEntity) private readonly releases: Repository<ReleaseEntity>,
    @Inject(GIT_REPOSITORIES) private readonly repositories: GitRepositories,
    @Inject(BUILD_LOGS) private readonly logs: BuildLogs,
  ) {}

  /** Answers the hook's exit code: 0 lets git update the refs, anything else rejects the push. */
  async run(session: PushSession, updates: RefUpdate[], out: (text: string) => void): Promise<number> {
    const app = await this.apps.get(session.app);
    const deployRef = `refs/heads/${app.deployBranch}`;
    for (const update of updates.filter((u) => u.ref !== deployRef)) out(`-----> Storing ${update.ref}; only ${app.deployBranch} deploys\n`);
    const update = updates.find((u) => u.ref === deployRef);
    if (!update) return 0;
    if (ZERO_OID.test(update.newRev)) {
      out(` !     Deleting ${app.deployBranch} is not allowed: it is what ${app.name} deploys\n`);
      return 1;
    }
    const release = await this.lock.acquire(app.name, () => out('-----> Another push to this app is deploying; waiting for it to finish\n'));
    let deployed = false;
    try {
      deployed = await this.deploy(app, session, update, out);
      return deployed ? 0 : 1;
    } finally {
      // git moves the branch only after the hook exits: the next push waits for that too.
      if (deployed) void this.waitForHead(app, update.newRev).finally(release);
      else release();
    }
  }

  private async deploy(app: AppEntity, session: PushSession, update: RefUpdate, out: (text: string) => void): Promise<boolean> {
    const head = (await this.repositories.branchHead(app.name, app.deployBranch)) ?? '0'.repeat(40);
    if (head !== update.oldRev && !(ZERO_OID.test(update.oldRev) && ZERO_OID.test(head))) {
      out(` !     ${app.deployBranch} moved while this push waited (now ${head.slice(0, 7)}): fetch first (git pull), then push again\n`);
      return false;
    }
    const build = await this.builds.enqueue({ appId: app.id, commitSha: update.newRev, branch: app.deployBranch, source: BuildSource.GitPush, triggeredBy: session.userId });
    out(`-----> Build ${build.id} queued for ${update.newRev.slice(0, 7)}\n`);
    for await (const chunk of this.logs.follow(build.id, () => this.pushFinished(build.id))) out(chunk.toString('utf8'));
    return this.deployedBuild(build.id);
  }

  /** The push is over when the build failed, or its release was deployed or failed. */
  private async pushFinished(buildId: string): Promise<boolean> {
    const build = await this.builds.get(buildId);
    if (!build || !FINISHED_BUILD_STATUSES.includes(build.status)) return false;
    if (build.status !== BuildStatus.Succeeded) return true;
    return (await this.releases.countBy({ buildId, status: In([ReleaseStatus.Deployed, ReleaseStatus.Failed]) })) > 0;
  }

  private async deployedBuild(buildId: string): Promise<boolean> {
    return (await this.releases.countBy({ buildId, status: ReleaseStatus.Deployed })) > 0;
  }

  private async waitForHead(app: AppEntity, commit: string): Promise<void> {
    const deadline = Date.now() + HEAD_SETTLE_MS;
    while (Date.now() < deadline && (await this.repositories.branchHead(app.name, app.deployBranch)) !== commit) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
