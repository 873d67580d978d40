import { DynamicModule, Global, Module } from '@nestjs/common';
import { BerthConfig } from './config.schema';

/** Injection token of the typed configuration parsed at boot. */
export const BERTH_CONFIG = Symbol('BERTH_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: BerthConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: BERTH_CONFIG, useValue: config }],
      exports: [BERTH_CONFIG],
    };
  }
}
