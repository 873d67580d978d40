import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post } from '@nestjs/common';
import { ROUTER_CONTROL, RouterControl } from '@berth/deployer';
import { z } from 'zod';
import { AppsService, DomainsService } from '@berth/apps';
import { DomainEntity } from '@berth/db';
import { ZodBodyPipe } from '../http/zod-body.pipe';

const domainBody = z.strictObject({ hostname: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }) });

function domainView(domain: DomainEntity) {
  return { hostname: domain.hostname, createdAt: domain.createdAt.toISOString() };
}

@Controller('api/apps/:name/domains')
export class DomainsController {
  constructor(
    private readonly apps: AppsService,
    private readonly domains: DomainsService,
    @Inject(ROUTER_CONTROL) private readonly routers: RouterControl,
  ) {}

  @Get()
  async list(@Param('name') name: string) {
    return (await this.domains.list((await this.apps.get(name)).id)).map(domainView);
  }

  @Post()
  async add(@Param('name') name: string, @Body(new ZodBodyPipe(domainBody)) body: z.output<typeof domainBody>) {
    const domain = await this.domains.add((await this.apps.get(name)).id, body.hostname);
    // Answer once every router serves the new hostname.
    await this.routers.switchAndDrain(name, []);
    return domainView(domain);
  }

  @Delete(':hostname')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('name') name: string, @Param('hostname') hostname: string): Promise<void> {
    await this.domains.remove((await this.apps.get(name)).id, hostname);
    await this.routers.switchAndDrain(name, []);
  }
}
