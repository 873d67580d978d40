import { LogLine, LogPosition, NewLogLine } from './log-line';
import { LogBus } from './log-bus';
import { LogStore } from './log-store';

export interface LogWriterOptions {
  /** A line waits at most this long before it is stored and published. */
  flushMs: number;
  /** Lines per transaction. */
  batchLines: number;
  /** Beyond this many waiting lines, write() waits for a flush: the Docker stream pauses. */
  maxBuffered: number;
  onError: (error: Error) => void;
}

const RETRY_MS = 1000;

interface Pending {
  line: NewLogLine;
  position?: { container: string; at: LogPosition };
}

/**
 * Batches lines into one transaction every `flushMs` or `batchLines`, so a burst of 10k
 * lines/s costs ~10 inserts, not 10k; memory stays bounded by making writers wait instead
 * of dropping lines. A failed flush keeps its lines and retries.
 */
export class LogWriter {
  private buffer: Pending[] = [];
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly store: LogStore,
    private readonly bus: LogBus,
    private readonly options: LogWriterOptions,
  ) {}

  /** Resolves at once while there is room; otherwise once a flush has made room. */
  async write(line: NewLogLine, position?: { container: string; at: LogPosition }): Promise<void> {
    if (this.closed) {
      this.options.onError(new Error(`a line of ${line.app} came after shutdown and was not stored: ${line.message}`));
      return;
    }
    this.buffer.push({ line, position });
    this.schedule();
    while (this.buffer.length >= this.options.maxBuffered) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Stores everything written so far, trying for at most `timeoutMs` while the store fails. */
  async flush(timeoutMs = Infinity): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.flushing || this.buffer.length > 0) && Date.now() < deadline) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
  }

  /** After a last flush: later lines are refused, and a failing store is not retried forever. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.buffer.length >= this.options.batchLines) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.flushing) this.startFlush();
      }, this.options.flushMs);
    }
  }

  private startFlush(): void {
    const batch = this.buffer.splice(0, this.options.batchLines);
    // Each container's position after the batch's last line of it, stored with the lines.
    const positions = new Map<string, LogPosition>();
    for (const { position } of batch) if (position) positions.set(position.container, position.at);
    this.flushing = this.store
      .append(batch.map((pending) => pending.line), positions)
      .then((stored) => this.publish(stored))
      .catch(async (error: Error) => {
        this.options.onError(error);
        if (this.closed) return;
        this.buffer.unshift(...batch);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      })
      .finally(() => {
        this.flushing = undefined;
        this.wakeWriters();
        if (this.buffer.length > 0) this.schedule();
      });
  }

  private async publish(stored: LogLine[]): Promise<void> {
    const byApp = new Map<string, LogLine[]>();
    for (const line of stored) {
      const lines = byApp.get(line.app) ?? [];
      lines.push(line);
      byApp.set(line.app, lines);
    }
    await Promise.all([...byApp].map(([app, lines]) => this.bus.publish(app, lines).catch((error: Error) => this.options.onError(error))));
  }

  private wakeWriters(): void {
    if (this.buffer.length >= this.options.maxBuffered) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
