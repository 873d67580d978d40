import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Logger, Param, Post } from '@nestjs/common';
import { ROUTER_CONTROL, RouterControl } from '@berth/deployer';
import { z } from 'zod';
import { AppsService, DomainsService } from '@berth/apps';
import { CertificateStore, CertificateSummary } from '@berth/certificates';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { DomainEntity } from '@berth/db';
import { JobName, JobQueue } from '@berth/queue';
import { ZodBodyPipe } from '../http/zod-body.pipe';

const domainBody = z.strictObject({ hostname: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }) });

const WILDCARD_NOTE = 'no automatic certificate: ACME http-01 cannot prove a wildcard domain';

/** `certificate`: null when TLS is off; for wildcards, why there is none. */
function domainView(domain: DomainEntity, tlsOn: boolean, cert: CertificateSummary | undefined) {
  return { hostname: domain.hostname, createdAt: domain.createdAt.toISOString(), certificate: tlsOn ? certificateView(domain.hostname, cert) : null };
}

function certificateView(hostname: string, cert: CertificateSummary | undefined) {
  if (hostname.startsWith('*.')) return { status: 'unsupported', message: WILDCARD_NOTE };
  if (!cert) return { status: 'pending' };
  return {
    status: cert.status,
    notAfter: cert.notAfter?.toISOString() ?? null,
    lastError: cert.lastError,
    nextAttemptAt: cert.nextAttemptAt?.toISOString() ?? null,
  };
}

@Controller('api/apps/:name/domains')
export class DomainsController {
  private readonly logger = new Logger(DomainsController.name);

  constructor(
    private readonly apps: AppsService,
    private readonly domains: DomainsService,
    private readonly certificates: CertificateStore,
    private readonly jobs: JobQueue,
    @Inject(ROUTER_CONTROL) private readonly routers: RouterControl,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  @Get()
  async list(@Param('name') name: string) {
    const domains = await this.domains.list((await this.apps.get(name)).id);
    const certs = await this.certificates.summaries(domains.map((domain) => domain.hostname));
    return domains.map((domain) => domainView(domain, this.tlsOn, certs.get(domain.hostname)));
  }

  @Post()
  async add(@Param('name') name: string, @Body(new ZodBodyPipe(domainBody)) body: z.output<typeof domainBody>) {
    const domain = await this.domains.add((await this.apps.get(name)).id, body.hostname);
    // Answer once every router serves the new hostname.
    await this.routers.switchAndDrain(name, []);
    if (this.tlsOn && !domain.hostname.startsWith('*.')) {
      // The worker's scan orders it within a minute anyway: a queue hiccup must not fail the add.
      await this.jobs.enqueue(JobName.IssueCertificate, { hostname: domain.hostname }).catch((error: Error) => this.logger.warn(`certificate order for ${domain.hostname} not queued: ${error.message}`));
    }
    return domainView(domain, this.tlsOn, undefined);
  }

  @Delete(':hostname')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('name') name: string, @Param('hostname') hostname: string): Promise<void> {
    await this.domains.remove((await this.apps.get(name)).id, hostname);
    await this.routers.switchAndDrain(name, []);
  }

  private get tlsOn(): boolean {
    return this.config.router.tlsPort !== undefined;
  }
}
