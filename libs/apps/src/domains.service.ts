import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { DomainEntity, isUniqueViolation } from '@berth/db';
import { AppsError, AppsErrorCode } from './apps.errors';

const LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
const HOSTNAME = new RegExp(`^(\\*\\.)?${LABEL}(\\.${LABEL})+$`);

/** Custom domains: one hostname belongs to one app; `*.example.com` covers its subdomains. */
@Injectable()
export class DomainsService {
  constructor(
    @InjectRepository(DomainEntity) private readonly domains: Repository<DomainEntity>,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  list(appId: string): Promise<DomainEntity[]> {
    return this.domains.find({ where: { appId }, order: { hostname: 'ASC' } });
  }

  async add(appId: string, rawHostname: string): Promise<DomainEntity> {
    const hostname = rawHostname.trim().toLowerCase().replace(/\.$/, '');
    this.check(hostname);
    try {
      return await this.domains.save(this.domains.create({ appId, hostname }));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppsError(AppsErrorCode.DomainTaken, `${hostname} already belongs to an app`);
      }
      throw error;
    }
  }

  async remove(appId: string, hostname: string): Promise<void> {
    const result = await this.domains.delete({ appId, hostname: hostname.toLowerCase() });
    if (!result.affected) throw new AppsError(AppsErrorCode.DomainNotFound, `${hostname} is not a domain of this app`);
  }

  private check(hostname: string): void {
    if (hostname.length > 253 || !HOSTNAME.test(hostname)) {
      throw new AppsError(AppsErrorCode.InvalidDomain, `"${hostname}" is not a hostname such as www.example.com or *.example.com`);
    }
    const appsDomain = this.config.router.domain;
    const rest = hostname.replace(/^\*\./, '');
    if (rest === appsDomain || (hostname.endsWith(`.${appsDomain}`) && !hostname.slice(0, -appsDomain.length - 1).includes('.'))) {
      throw new AppsError(AppsErrorCode.InvalidDomain, `${hostname} is in Berth's own app namespace (*.${appsDomain}); every app already has NAME.${appsDomain}`);
    }
  }
}
