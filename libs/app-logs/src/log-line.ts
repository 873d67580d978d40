/** One line of an app's runtime log, as the API answers it (the log contract). */
export interface LogLine {
  /** Opaque cursor, increasing per app (a bigint as a string). */
  id: string;
  /** RFC 3339 with nanoseconds. */
  time: string;
  app: string;
  release: number | null;
  process: string | null;
  /** The instance id, null for Berth's events about the app as a whole. */
  instance: string | null;
  stream: LogStream;
  message: string;
}

export type LogStream = 'stdout' | 'stderr' | 'berth';

/** A line before it is stored. */
export type NewLogLine = Omit<LogLine, 'id'>;

export interface LogFilter {
  app: string;
  process?: string;
  release?: number;
  stream?: LogStream;
}

/** Where a container's stored output ends: the last line's time and how many lines carry it. */
export interface LogPosition {
  time: string;
  linesAtTime: number;
}

export function matchesFilter(line: LogLine, filter: LogFilter): boolean {
  return (
    line.app === filter.app &&
    (filter.process === undefined || line.process === filter.process) &&
    (filter.release === undefined || line.release === filter.release) &&
    (filter.stream === undefined || line.stream === filter.stream)
  );
}

/** RFC 3339 with nanoseconds from the wall clock, for Berth's own events. */
export function nowRfc3339Nano(): string {
  const now = new Date();
  const nanos = String(process.hrtime.bigint() % 1_000_000n).padStart(6, '0');
  return `${now.toISOString().slice(0, 23)}${nanos}Z`;
}
