import { DynamicModule, Module } from '@nestjs/common';
import { BerthConfig, ConfigModule } from '@berth/config';
import { DbModule } from '@berth/db';
import { LoggingModule } from '@berth/logging';
import { InFlightRequests } from './in-flight';
import { RouteSync } from './route-sync';
import { RouteTable } from './route-table';
import { RouterServer } from './router.server';

@Module({})
export class RouterModule {
  static forRoot(config: BerthConfig): DynamicModule {
    return {
      module: RouterModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(config, 'router'), DbModule.forRoot(config.databaseUrl)],
      providers: [RouteTable, RouterServer, InFlightRequests, RouteSync],
    };
  }
}
