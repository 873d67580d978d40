import { BeforeApplicationShutdown, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import IORedis from 'ioredis';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { redisOptionsFromUrl } from '@berth/queue';
import { CONTAINER_RUNTIME, ContainerRuntime } from '@berth/runtime';
import { APP_EVENTS, AppEventSink } from './app-events.port';
import { LOG_WRITER } from './app-events.module';
import { CollectorLease } from './collector-lease';
import { LogCollector } from './log-collector';
import { LOG_STORE, LogStore } from './log-store';
import { LogWriter } from './log-writer';

const LEASE_TTL_MS = 15_000;

/** Runs the collector for the life of the process (the worker hosts it). */
@Injectable()
export class LogCollectionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly redis: IORedis;
  readonly collector: LogCollector;

  constructor(
    @Inject(BERTH_CONFIG) config: BerthConfig,
    @Inject(CONTAINER_RUNTIME) runtime: ContainerRuntime,
    @Inject(LOG_STORE) store: LogStore,
    @Inject(LOG_WRITER) writer: LogWriter,
    @Inject(APP_EVENTS) events: AppEventSink,
  ) {
    this.redis = new IORedis(redisOptionsFromUrl(config.redis.url));
    const lease = new CollectorLease(this.redis, `${config.redis.prefix}:logs:collector`, LEASE_TTL_MS);
    this.collector = new LogCollector(runtime, store, writer, events, lease);
  }

  onApplicationBootstrap(): void {
    this.collector.start();
  }

  /** Before the database and the writer close (their hooks run after this one). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.collector.stop();
    this.redis.disconnect();
  }
}

/** Needs AppEventsModule, RuntimeModule and ConfigModule (all global) in the same application. */
@Module({ providers: [LogCollectionService], exports: [LogCollectionService] })
export class LogCollectorModule {}
