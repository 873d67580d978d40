export { APP_EVENTS, AppEvent, AppEventSink } from './app-events.port';
export { AppEventsModule, LOG_WRITER } from './app-events.module';
export { LogCollectionService, LogCollectorModule } from './log-collector.module';
export { LOG_BUS, LogBus, RedisLogBus } from './log-bus';
export { LogFilter, LogLine, LogStream, matchesFilter } from './log-line';
export { LOG_STORE, LogStore, PostgresLogStore } from './log-store';
export { LogWriter } from './log-writer';
