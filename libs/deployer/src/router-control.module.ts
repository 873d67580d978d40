import { DynamicModule, Global, Module } from '@nestjs/common';
import IORedis from 'ioredis';
import { redisOptionsFromUrl } from '@berth/queue';
import { ROUTER_CONTROL } from './deployer.ports';
import { RedisRouterControl } from './redis-router-control';

/** The routers' control channel, for every module that changes routes (deploys, domains, deletions). */
@Global()
@Module({})
export class RouterControlModule {
  static forRoot(redis: { url: string; prefix: string }): DynamicModule {
    return {
      module: RouterControlModule,
      providers: [{ provide: ROUTER_CONTROL, useFactory: () => new RedisRouterControl(new IORedis(redisOptionsFromUrl(redis.url)), redis.prefix) }],
      exports: [ROUTER_CONTROL],
    };
  }
}
