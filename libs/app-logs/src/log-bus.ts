import type { Redis } from 'ioredis';
import { LogLine } from './log-line';

export const LOG_BUS = Symbol('LOG_BUS');

/** Live delivery of stored lines to whoever follows an app's log (the API's SSE streams). */
export interface LogBus {
  /** Lines of one app, already stored (they carry ids), oldest first. */
  publish(app: string, lines: LogLine[]): Promise<void>;
  /** Calls `listener` with each published batch of the app until the returned function is called. */
  subscribe(app: string, listener: (lines: LogLine[]) => void): Promise<() => void>;
}

/**
 * Redis pub/sub, one channel per app under the installation's prefix. One subscriber
 * connection per process serves every follower; channels are joined on first use and left
 * with the last listener.
 */
export class RedisLogBus implements LogBus {
  private readonly listeners = new Map<string, Set<(lines: LogLine[]) => void>>();
  private subscriber?: Redis;

  constructor(
    private readonly publisher: Redis,
    private readonly prefix: string,
  ) {}

  async publish(app: string, lines: LogLine[]): Promise<void> {
    if (lines.length > 0) await this.publisher.publish(this.channel(app), JSON.stringify(lines));
  }

  async subscribe(app: string, listener: (lines: LogLine[]) => void): Promise<() => void> {
    const channel = this.channel(app);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.connection().subscribe(channel);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size > 0 || this.listeners.get(channel) !== set) return;
      this.listeners.delete(channel);
      void this.subscriber?.unsubscribe(channel).catch(() => undefined);
    };
  }

  /** Nest calls this last on shutdown (lines flushed before it are still published); both connections are this object's own. */
  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
    this.publisher.disconnect();
  }

  private connection(): Redis {
    if (!this.subscriber) {
      this.subscriber = this.publisher.duplicate();
      this.subscriber.on('message', (channel: string, message: string) => {
        const lines = JSON.parse(message) as LogLine[];
        for (const listener of this.listeners.get(channel) ?? []) listener(lines);
      });
    }
    return this.subscriber;
  }

  private channel(app: string): string {
    return `${this.prefix}:logs:${app}`;
  }
}
