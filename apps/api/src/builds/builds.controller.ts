import { Controller, Get, Inject, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Response } from 'express';
import { In, Repository } from 'typeorm';
import { AppsService } from '@berth/apps';
import { BuildLogs, BuildsService } from '@berth/builds';
import { BuildEntity, BuildStatus, FINISHED_BUILD_STATUSES, ReleaseEntity, ReleaseStatus } from '@berth/db';
import { RequestError, RequestErrorCode } from '@berth/errors';
import { BUILD_LOGS } from '../git/git.tokens';
import { QueryTokenAllowed } from '../http/auth.guard';

const RELEASE_GRACE_MS = 5000;

export function buildView(build: BuildEntity) {
  return {
    id: build.id,
    status: build.status,
    source: build.source,
    commit: build.commitSha,
    branch: build.branch,
    imageDigest: build.imageDigest,
    error: build.error,
    triggeredBy: build.triggeredBy,
    createdAt: build.createdAt.toISOString(),
    startedAt: build.startedAt?.toISOString() ?? null,
    finishedAt: build.finishedAt?.toISOString() ?? null,
  };
}

@Controller('api')
export class BuildsController {
  constructor(
    private readonly apps: AppsService,
    private readonly builds: BuildsService,
    @Inject(BUILD_LOGS) private readonly logs: BuildLogs,
    @InjectRepository(ReleaseEntity) private readonly releases: Repository<ReleaseEntity>,
  ) {}

  @Get('apps/:name/builds')
  async list(@Param('name') name: string) {
    const app = await this.apps.get(name);
    return (await this.builds.listForApp(app.id)).map(buildView);
  }

  @Get('builds/:id')
  async show(@Param('id', new ParseUUIDPipe()) id: string) {
    return buildView(await this.find(id));
  }

  /** The build log as plain text, streamed while the build runs and ended when it is over. */
  @Get('builds/:id/log')
  @QueryTokenAllowed()
  async log(@Param('id', new ParseUUIDPipe()) id: string, @Res() response: Response): Promise<void> {
    await this.find(id);
    response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    const closed = new AbortController();
    response.on('close', () => closed.abort());
    for await (const chunk of this.logs.follow(id, () => this.logComplete(id), closed.signal)) response.write(chunk);
    response.end();
  }

  /**
   * The deploy appends to the build's log after the build itself succeeded, so the log is
   * complete once its release is deployed or failed. A build that makes no release (another
   * branch) is complete a few seconds after it finished.
   */
  private async logComplete(id: string): Promise<boolean> {
    const build = await this.builds.get(id);
    if (!build || !FINISHED_BUILD_STATUSES.includes(build.status)) return false;
    if (build.status !== BuildStatus.Succeeded || !build.commitSha) return true;
    if ((await this.releases.countBy({ buildId: id, status: In([ReleaseStatus.Deployed, ReleaseStatus.Failed]) })) > 0) return true;
    const releaseMade = (await this.releases.countBy({ buildId: id })) > 0;
    return !releaseMade && Date.now() - (build.finishedAt?.getTime() ?? 0) > RELEASE_GRACE_MS;
  }

  private async find(id: string): Promise<BuildEntity> {
    const build = await this.builds.get(id);
    if (!build) throw new RequestError(RequestErrorCode.RouteNotFound, `no build ${id}`);
    return build;
  }
}
