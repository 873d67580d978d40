import { BeforeApplicationShutdown, Controller, Get, Headers, Inject, Logger, Param, Query, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LOG_BUS, LOG_STORE, LogBus, LogFilter, LogLine, LogStore, matchesFilter } from '@berth/app-logs';
import { AppsService } from '@berth/apps';
import { QueryTokenAllowed } from '../http/auth.guard';
import { LogQuery, MAX_TAIL, parseLogQuery } from './log-query';

const KEEP_ALIVE_MS = 15_000;

/** Only follow streams may authenticate with ?access_token= (EventSource sends no headers). */
const isFollow = (request: Request) => request.query.follow === '1' || request.query.follow === 'true';

@Controller('api/apps/:name/logs')
export class LogsController implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LogsController.name);
  /** Open follow streams: they never end by themselves, so shutdown ends them (clients resume by id). */
  private readonly streams = new Set<Response>();

  constructor(
    private readonly apps: AppsService,
    @Inject(LOG_STORE) private readonly store: LogStore,
    @Inject(LOG_BUS) private readonly bus: LogBus,
  ) {}

  @Get()
  @QueryTokenAllowed(isFollow)
  async logs(@Param('name') name: string, @Query() raw: Record<string, unknown>, @Headers('last-event-id') lastEventId: string | undefined, @Res() response: Response): Promise<void> {
    const app = await this.apps.get(name);
    const query = parseLogQuery(raw, lastEventIdOf(lastEventId));
    const filter: LogFilter = { app: app.name, process: query.process, release: query.release, stream: query.stream };
    if (!query.follow) {
      response.status(200).json({ lines: await this.store.query(filter, { tail: query.tail, after: query.after }) });
      return;
    }
    await this.follow(filter, query, response);
  }

  /**
   * Subscribes before reading the store, holds live lines back until the stored ones are
   * out, and sends each id once: nothing falls into the seam between the two.
   */
  private async follow(filter: LogFilter, query: LogQuery, response: Response): Promise<void> {
    let lastId = query.after === undefined ? -1n : BigInt(query.after);
    const send = (line: LogLine) => {
      if (BigInt(line.id) <= lastId || !matchesFilter(line, filter)) return;
      lastId = BigInt(line.id);
      response.write(`id: ${line.id}\nevent: line\ndata: ${JSON.stringify(line)}\n\n`);
    };
    let held: LogLine[] | null = [];
    const unsubscribe = await this.bus.subscribe(filter.app, (lines) => (held ? held.push(...lines) : lines.forEach(send)));
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    this.streams.add(response);
    response.on('close', () => {
      this.streams.delete(response);
      clearInterval(keepAlive);
      unsubscribe();
    });
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    response.flushHeaders();
    try {
      await this.sendStored(filter, query, send);
    } catch (error) {
      // The status is out already: all that is left is to end the stream; the client resumes.
      this.logger.error(`log stream of ${filter.app}: ${(error as Error).message}`);
      response.end();
      return;
    }
    const pending = held;
    held = null;
    pending.forEach(send);
  }

  beforeApplicationShutdown(): void {
    for (const response of this.streams) response.end();
  }

  /** The tail, or with a cursor everything after it (page by page, however much that is). */
  private async sendStored(filter: LogFilter, query: LogQuery, send: (line: LogLine) => void): Promise<void> {
    if (query.after === undefined) {
      (await this.store.query(filter, { tail: query.tail })).forEach(send);
      return;
    }
    let after = query.after;
    for (;;) {
      const page = await this.store.query(filter, { tail: MAX_TAIL, after });
      page.forEach(send);
      if (page.length < MAX_TAIL) return;
      after = page[page.length - 1].id;
    }
  }
}

/** An empty Last-Event-ID header means none. */
function lastEventIdOf(header: string | undefined): string | undefined {
  return header === undefined || header.trim() === '' ? undefined : header.trim();
}
