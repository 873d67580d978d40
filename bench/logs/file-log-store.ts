import fs from 'node:fs/promises';
import path from 'node:path';
import { LogFilter, LogLine, matchesFilter } from '@berth/app-logs';

const CHUNK = 256 * 1024;

/**
 * The alternative the benchmark weighs: one append-only NDJSON file per app, written a batch
 * at a time; the tail is read backwards in chunks until enough lines match the filter.
 * (Rotation and retention would drop whole segment files; one segment is enough to measure.)
 */
export class FileLogStore {
  private nextId = 1;

  constructor(private readonly dir: string) {}

  async append(app: string, lines: Array<Omit<LogLine, 'id'>>): Promise<void> {
    const text = lines.map((line) => JSON.stringify({ id: String(this.nextId++), ...line })).join('\n') + '\n';
    const handle = await fs.open(path.join(this.dir, `${app}.ndjson`), 'a');
    try {
      await handle.write(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /** Lines after a cursor: without an index, a scan from the start of the file. */
  async after(app: string, id: number, count: number): Promise<LogLine[]> {
    const found: LogLine[] = [];
    const handle = await fs.open(path.join(this.dir, `${app}.ndjson`), 'r');
    try {
      for await (const text of handle.readLines()) {
        const line = JSON.parse(text) as LogLine;
        if (Number(line.id) > id) found.push(line);
        if (found.length === count) break;
      }
      return found;
    } finally {
      await handle.close();
    }
  }

  async tail(filter: LogFilter, count: number): Promise<LogLine[]> {
    const handle = await fs.open(path.join(this.dir, `${filter.app}.ndjson`), 'r');
    try {
      const found: LogLine[] = [];
      let position = (await handle.stat()).size;
      let carry = '';
      while (position > 0 && found.length < count) {
        const size = Math.min(CHUNK, position);
        position -= size;
        const buffer = Buffer.alloc(size);
        await handle.read(buffer, 0, size, position);
        const parts = (buffer.toString('utf8') + carry).split('\n');
        carry = parts.shift() ?? '';
        for (let i = parts.length - 1; i >= 0 && found.length < count; i--) {
          if (parts[i] === '') continue;
          const line = JSON.parse(parts[i]) as LogLine;
          if (matchesFilter(line, filter)) found.push(line);
        }
      }
      return found.reverse();
    } finally {
      await handle.close();
    }
  }
}
