import fs from 'node:fs';
import path from 'node:path';
import { StampedLine } from './timed-process';

/**
 * Follows Berth's build logs (`<data dir>/logs/builds/<id>.log`, where the worker writes the
 * build and then the deploy of a push) with inotify and stamps each line when it lands. The
 * pusher sees the same lines later and in batches (the api polls the log file), so these
 * stamps, not git's output, say where the time goes. Stamps are seconds since `mark()`.
 */
export class BuildLogWatch {
  private readonly offsets = new Map<string, number>();
  private readonly watcher: fs.FSWatcher;
  private lines: StampedLine[] = [];
  private origin = process.hrtime.bigint();
  private pending = new Map<string, string>();

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(dir)) this.offsets.set(name, fs.statSync(path.join(dir, name)).size);
    this.watcher = fs.watch(dir, (_event, name) => name && this.read(name.toString()));
  }

  /** Starts a new timeline: what was logged before is skipped. */
  mark(): void {
    for (const name of fs.readdirSync(this.dir)) this.read(name);
    this.origin = process.hrtime.bigint();
    this.lines = [];
  }

  /** The lines since mark(), after reading whatever arrived but was not announced yet. */
  take(): StampedLine[] {
    for (const name of fs.readdirSync(this.dir)) this.read(name);
    return this.lines;
  }

  close(): void {
    this.watcher.close();
  }

  private read(name: string): void {
    const file = path.join(this.dir, name);
    const offset = this.offsets.get(name) ?? 0;
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return; // removed meanwhile
    }
    if (size <= offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      fs.closeSync(fd);
    }
    this.offsets.set(name, size);
    const at = Number(process.hrtime.bigint() - this.origin) / 1e9;
    const parts = ((this.pending.get(name) ?? '') + buffer.toString('utf8')).split('\n');
    this.pending.set(name, parts.pop() ?? '');
    for (const text of parts) if (text.trim() !== '') this.lines.push({ at, text: text.trimEnd() });
  }
}
