import type { Readable } from 'node:stream';
import { BerthLabel, ContainerLogLine, ContainerRuntime } from '@berth/runtime';
import { LogPosition, NewLogLine } from './log-line';
import { LogWriter } from './log-writer';

/** What a container's labels say about the lines it prints. */
export interface ContainerOrigin {
  app: string;
  release: number | null;
  process: string | null;
  instance: string | null;
}

export function originOf(labels: Record<string, string>): ContainerOrigin | null {
  const app = labels[BerthLabel.App];
  if (!app) return null;
  const version = Number(labels[BerthLabel.Version]);
  return { app, release: Number.isInteger(version) ? version : null, process: labels[BerthLabel.Process] ?? null, instance: labels[BerthLabel.Instance] ?? null };
}

/**
 * Reads one container's output from where the store left off until the container stops.
 * Docker's `since` is inclusive and has nanosecond resolution, so the resume asks for the
 * last stored line's time and skips the lines at exactly that time that were already
 * stored: nothing is stored twice and nothing is skipped.
 */
export class ContainerFollower {
  private stream?: Readable;
  private stopped = false;

  constructor(
    private readonly id: string,
    private readonly origin: ContainerOrigin,
    private position: LogPosition | null,
    private readonly runtime: ContainerRuntime,
    private readonly writer: LogWriter,
  ) {}

  /** Where this container's output ends so far (written, maybe not yet flushed). */
  get current(): LogPosition | null {
    return this.position;
  }

  /** Resolves when the container stopped printing (it exited) or stop() was called. */
  async run(): Promise<void> {
    this.stream = await this.runtime.followLogLines(this.id, { sinceTime: this.position?.time });
    if (this.stopped) this.stream.destroy();
    let skip = this.position?.linesAtTime ?? 0;
    try {
      for await (const line of this.stream as AsyncIterable<ContainerLogLine>) {
        if (skip > 0 && line.time === this.position?.time) {
          skip--;
          continue;
        }
        skip = 0;
        await this.store(line);
        if (this.stopped) break;
      }
    } catch (error) {
      if (!this.stopped) throw error;
    }
  }

  stop(): void {
    this.stopped = true;
    this.stream?.destroy();
  }

  private async store(line: ContainerLogLine): Promise<void> {
    const at = this.position?.time === line.time ? { time: line.time, linesAtTime: this.position.linesAtTime + 1 } : { time: line.time, linesAtTime: 1 };
    this.position = at;
    const entry: NewLogLine = { ...this.origin, time: line.time, stream: line.stream, message: line.message };
    await this.writer.write(entry, { container: this.id, at });
  }
}
