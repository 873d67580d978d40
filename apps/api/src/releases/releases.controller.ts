import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { z } from 'zod';
import { AppsService } from '@berth/apps';
import { Principal } from '@berth/auth';
import { ReleaseEntity } from '@berth/db';
import { checkScale } from '@berth/deployer';
import { JobName, JobQueue } from '@berth/queue';
import { ConfigVarsService, ReleasesService } from '@berth/releases';
import { CurrentPrincipal } from '../http/auth.guard';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { FormationService } from './formation.service';

export function releaseListView(release: ReleaseEntity) {
  return {
    version: release.version,
    status: release.status,
    description: release.description,
    imageDigest: release.imageDigest,
    processTypes: release.processTypes,
    configKeys: Object.keys(release.config),
    error: release.error,
    createdAt: release.createdAt.toISOString(),
    deployedAt: release.deployedAt?.toISOString() ?? null,
  };
}

const rollbackBody = z.strictObject({ version: z.number({ error: 'must be a release number' }).int().positive() });
const configBody = z.record(z.string(), z.union([z.string(), z.null()], { error: 'values must be strings, or null to remove the variable' }));
const scaleBody = z.record(z.string(), z.number({ error: 'counts must be numbers' }));

@Controller('api/apps/:name')
export class ReleasesController {
  constructor(
    private readonly apps: AppsService,
    private readonly releases: ReleasesService,
    private readonly configVars: ConfigVarsService,
    private readonly formation: FormationService,
    private readonly queue: JobQueue,
  ) {}

  @Get('releases')
  async list(@Param('name') name: string) {
    const app = await this.apps.get(name);
    return (await this.releases.list(app.id)).map(releaseListView);
  }

  @Post('rollback')
  async rollback(@Param('name') name: string, @Body(new ZodBodyPipe(rollbackBody)) body: z.output<typeof rollbackBody>, @CurrentPrincipal() principal: Principal) {
    const app = await this.apps.get(name);
    const release = await this.releases.rollback(app.id, body.version, principal.userId);
    await this.queue.enqueue(JobName.RunDeploy, { releaseId: release.id }, { jobId: release.id });
    return releaseListView(release);
  }

  @Get('config')
  async config(@Param('name') name: string) {
    return this.configVars.get((await this.apps.get(name)).id);
  }

  /** `{"KEY": "value", "OLD": null}`; a change makes a new release, deployed when there is an image. */
  @Patch('config')
  async patchConfig(@Param('name') name: string, @Body(new ZodBodyPipe(configBody)) body: z.output<typeof configBody>, @CurrentPrincipal() principal: Principal) {
    const app = await this.apps.get(name);
    if (!(await this.configVars.patch(app.id, body))) return { config: await this.configVars.get(app.id), release: null };
    const description = `Config: ${Object.entries(body).map(([key, value]) => (value === null ? `unset ${key}` : `set ${key}`)).join(', ')}`;
    const release = await this.releases.createForConfigChange(app.id, description, principal.userId);
    if (release.imageDigest) await this.queue.enqueue(JobName.RunDeploy, { releaseId: release.id }, { jobId: release.id });
    return { config: await this.configVars.get(app.id), release: releaseListView(release) };
  }

  @Post('scale')
  @HttpCode(HttpStatus.OK)
  async scale(@Param('name') name: string, @Body(new ZodBodyPipe(scaleBody)) body: z.output<typeof scaleBody>) {
    const app = await this.apps.get(name);
    const current = await this.releases.current(app.id);
    const formation = await this.formation.update(app.id, checkScale(body, current?.processTypes ?? {}));
    await this.queue.enqueue(JobName.ScaleApp, { appId: app.id });
    return { formation };
  }
}
