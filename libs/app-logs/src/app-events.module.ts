import { Global, Logger, Module } from '@nestjs/common';
import { APP_EVENTS, AppEvent, AppEventSink } from './app-events.port';

/** Until the app log store records them, Berth's events about apps go to the process log. */
class ProcessLogEventSink implements AppEventSink {
  private readonly logger = new Logger('AppEvents');

  async emit(event: AppEvent): Promise<void> {
    const text = `${event.app}: ${event.message}`;
    if (event.level === 'error') this.logger.error(text);
    else if (event.level === 'warn') this.logger.warn(text);
    else this.logger.log(text);
  }
}

@Global()
@Module({ providers: [{ provide: APP_EVENTS, useClass: ProcessLogEventSink }], exports: [APP_EVENTS] })
export class AppEventsModule {}
