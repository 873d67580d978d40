import { DynamicModule, Module } from '@nestjs/common';
import { CertificatesModule } from '@berth/certificates';
import { BerthConfig, ConfigModule } from '@berth/config';
import { DbModule } from '@berth/db';
import { LoggingModule } from '@berth/logging';
import { InFlightRequests } from './in-flight';
import { RouteSync } from './route-sync';
import { RouteTable } from './route-table';
import { RouterServer } from './router.server';
import { CertificateCache } from './tls/certificate-cache';
import { TlsFront } from './tls/tls-front';
import { TlsRouterServer } from './tls/tls-server';

@Module({})
export class RouterModule {
  static forRoot(config: BerthConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(config, 'router'), DbModule.forRoot(config.databaseUrl), CertificatesModule.forRoot(config, { issuer: false })],
      providers: [RouteTable, RouterServer, InFlightRequests, RouteSync, TlsFront, CertificateCache, TlsRouterServer],
    };
  }
}
