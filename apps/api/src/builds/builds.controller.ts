import { Controller, Get, Inject, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppsService } from '@berth/apps';
import { BuildLogs, BuildsService } from '@berth/builds';
import { BuildEntity } from '@berth/db';
import { RequestError, RequestErrorCode } from '@berth/errors';
import { BUILD_LOGS } from '../git/git.tokens';
import { QueryTokenAllowed } from '../http/auth.guard';

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
    for await (const chunk of this.logs.follow(id, () => this.builds.isFinished(id), closed.signal)) response.write(chunk);
    response.end();
  }

  private async find(id: string): Promise<BuildEntity> {
    const build = await this.builds.get(id);
    if (!build) throw new RequestError(RequestErrorCode.RouteNotFound, `no build ${id}`);
    return build;
  }
}
