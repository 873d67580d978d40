import { Module } from '@nestjs/common';
import { ConfigVarsService } from './config-vars.service';
import { ReleasesService } from './releases.service';

@Module({ providers: [ReleasesService, ConfigVarsService], exports: [ReleasesService, ConfigVarsService] })
export class ReleasesModule {}
