import { Module } from '@nestjs/common';
import { AppsService } from './apps.service';
import { DomainsService } from './domains.service';

@Module({ providers: [AppsService, DomainsService], exports: [AppsService, DomainsService] })
export class AppsModule {}
