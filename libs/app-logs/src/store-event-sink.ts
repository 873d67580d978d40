import { Logger } from '@nestjs/common';
import { AppEvent, AppEventSink } from './app-events.port';
import { nowRfc3339Nano } from './log-line';
import { LogWriter } from './log-writer';

/** Berth's events join the app's log as stream "berth", stored and published like its output. */
export class StoreEventSink implements AppEventSink {
  private readonly logger = new Logger('AppEvents');

  constructor(private readonly writer: LogWriter) {}

  async emit(event: AppEvent): Promise<void> {
    const text = `${event.app}: ${event.message}`;
    if (event.level === 'error') this.logger.error(text);
    else if (event.level === 'warn') this.logger.warn(text);
    else this.logger.log(text);
    try {
      await this.writer.write({
        time: nowRfc3339Nano(),
        app: event.app,
        release: event.release?.version ?? null,
        process: event.process ?? null,
        instance: event.instance ?? null,
        stream: 'berth',
        message: event.message,
      });
    } catch (error) {
      this.logger.error(`could not store an event of ${event.app}: ${(error as Error).message}`);
    }
  }
}
