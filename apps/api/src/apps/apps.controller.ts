import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { AppsService } from '@berth/apps';
import { Principal } from '@berth/auth';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { ROUTER_CONTROL, RouterControl } from '@berth/deployer';
import { CurrentPrincipal } from '../http/auth.guard';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { appDetailsView, appView, publicUrls } from './app.presenter';

const createAppBody = z.strictObject({
  name: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }),
});

/** App settings that need no new release; every key is optional, a key left out keeps its value. */
const appSettingsBody = z.strictObject({
  httpsRedirect: z.boolean({ error: 'must be true or false' }).optional(),
  maxBodyBytes: z
    .number({ error: 'must be a whole number of bytes or null' })
    .int('must be a whole number of bytes')
    .min(0, 'must not be negative')
    .max(Number.MAX_SAFE_INTEGER, 'is too large')
    .nullable()
    .optional(),
});

@Controller('api/apps')
export class AppsController {
  constructor(
    private readonly apps: AppsService,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
    @Inject(ROUTER_CONTROL) private readonly routers: RouterControl,
  ) {}

  @Post()
  async create(
    @Body(new ZodBodyPipe(createAppBody)) body: z.output<typeof createAppBody>,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ) {
    const app = await this.apps.create(body.name, principal.userId);
    return appDetailsView({ app, release: null, instances: [] }, publicUrls(request, this.config));
  }

  @Get()
  async list(@Req() request: Request) {
    const urls = publicUrls(request, this.config);
    return (await this.apps.list()).map((app) => appView(app, urls));
  }

  @Get(':name')
  async show(@Param('name') name: string, @Req() request: Request) {
    return appDetailsView(await this.apps.details(name), publicUrls(request, this.config));
  }

  @Patch(':name')
  async update(@Param('name') name: string, @Body(new ZodBodyPipe(appSettingsBody)) body: z.output<typeof appSettingsBody>, @Req() request: Request) {
    await this.apps.updateSettings(name, body);
    // Routers reload at once (and acknowledge), so the next request already sees the new limits.
    await this.routers.switchAndDrain(name, []);
    return appDetailsView(await this.apps.details(name), publicUrls(request, this.config));
  }

  @Delete(':name')
  @HttpCode(HttpStatus.NO_CONTENT)
  async delete(@Param('name') name: string): Promise<void> {
    await this.apps.delete(name);
    await this.routers.switchAndDrain(name, []);
  }
}
