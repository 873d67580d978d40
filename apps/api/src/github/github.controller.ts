import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { Principal } from '@berth/auth';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { GithubDeliveryEntity, UserRole } from '@berth/db';
import { GithubLinksService } from '@berth/github';
import { publicUrls } from '../apps/app.presenter';
import { CurrentPrincipal } from '../http/auth.guard';
import { ZodBodyPipe } from '../http/zod-body.pipe';

/** A branch name git accepts (check-ref-format, roughly) that cannot pass for an option or a pattern. */
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._\/+-]{1,255}(?<![/.])(?<!\.lock)$/;

const linkBody = z.strictObject({
  repository: z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, 'must be "owner/repo"'),
  branch: z.string().regex(BRANCH, 'must be a git branch name such as "main"'),
  cloneUrl: z.string().min(1).max(2048).optional(),
  deployKey: z.boolean().optional(),
  token: z.string().regex(/^[\x21-\x7e]{1,1024}$/, 'must be 1-1024 printable characters without spaces').nullable().optional(),
});

function deliveryView(delivery: GithubDeliveryEntity) {
  return {
    id: delivery.id,
    event: delivery.event,
    deliveryId: delivery.deliveryId,
    hookId: delivery.hookId,
    result: delivery.result,
    detail: delivery.detail,
    ref: delivery.ref,
    after: delivery.afterSha,
    buildId: delivery.buildId,
    createdAt: delivery.createdAt.toISOString(),
    updatedAt: delivery.updatedAt.toISOString(),
  };
}

/** An app's GitHub link: the webhook secret is answered only when made (link, rotate). */
@Controller('api/apps/:name/github')
export class GithubController {
  constructor(
    private readonly links: GithubLinksService,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  @Put()
  link(
    @Param('name') name: string,
    @Body(new ZodBodyPipe(linkBody)) body: z.output<typeof linkBody>,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ) {
    const actor = { userId: principal.userId, isAdmin: principal.role === UserRole.Admin };
    return this.links.link(name, body, actor, publicUrls(request, this.config).apiOrigin);
  }

  @Get()
  show(@Param('name') name: string) {
    return this.links.show(name);
  }

  @Post('secret')
  rotate(@Param('name') name: string) {
    return this.links.rotateSecret(name);
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  async unlink(@Param('name') name: string): Promise<void> {
    await this.links.unlink(name);
  }

  @Get('deliveries')
  async deliveries(@Param('name') name: string) {
    return (await this.links.listDeliveries(name)).map(deliveryView);
  }
}
