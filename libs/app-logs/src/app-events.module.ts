import { BeforeApplicationShutdown, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { redisOptionsFromUrl } from '@berth/queue';
import { APP_EVENTS } from './app-events.port';
import { LOG_BUS, LogBus, RedisLogBus } from './log-bus';
import { LOG_STORE, LogStore, PostgresLogStore } from './log-store';
import { LogWriter } from './log-writer';
import { StoreEventSink } from './store-event-sink';

export const LOG_WRITER = Symbol('LOG_WRITER');

const SHUTDOWN_FLUSH_MS = 5_000;

/**
 * Stores what is still buffered when the process stops: before the database closes (in
 * onApplicationShutdown), for a bounded time so a dead database cannot hold shutdown.
 */
@Injectable()
class LogWriterShutdown implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(@Inject(LOG_WRITER) private readonly writer: LogWriter) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.writer.flush(SHUTDOWN_FLUSH_MS);
  }

  onApplicationShutdown(): void {
    this.writer.close();
  }
}

/**
 * Apps' runtime logs for every process that has a database and Redis: the store, live
 * delivery, the batching writer, and Berth's events (APP_EVENTS) written into the log.
 */
@Global()
@Module({
  providers: [
    { provide: LOG_STORE, inject: [getDataSourceToken()], useFactory: (dataSource: DataSource) => new PostgresLogStore(dataSource) },
    { provide: LOG_BUS, inject: [BERTH_CONFIG], useFactory: (config: BerthConfig) => new RedisLogBus(new IORedis(redisOptionsFromUrl(config.redis.url)), config.redis.prefix) },
    {
      provide: LOG_WRITER,
      inject: [LOG_STORE, LOG_BUS],
      useFactory: (store: LogStore, bus: LogBus) => {
        const logger = new Logger('AppLogs');
        return new LogWriter(store, bus, { flushMs: 50, batchLines: 1000, maxBuffered: 5000, onError: (error) => logger.error(`storing log lines: ${error.message}`) });
      },
    },
    { provide: APP_EVENTS, inject: [LOG_WRITER], useFactory: (writer: LogWriter) => new StoreEventSink(writer) },
    LogWriterShutdown,
  ],
  exports: [APP_EVENTS, LOG_STORE, LOG_BUS, LOG_WRITER],
})
export class AppEventsModule {}
