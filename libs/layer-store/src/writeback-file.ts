import { promises as fs } from 'node:fs';
import { Writable } from 'node:stream';

/**
 * Bytes written between two background flushes. Linux keeps a file's new pages dirty until
 * memory pressure or 30 s pass, so a big blob's fsync would write all of it at the end, after
 * the last byte arrived (~100 ms per 200 MiB measured here), while the client waits.
 */
export const WRITEBACK_BYTES = 8 * 1024 * 1024;

export interface WritebackFileOptions {
  /** fs.open flags: 'wx' for a new file, 'r+' to write into an existing one. */
  flags: 'wx' | 'r+';
  /** Byte offset of the first write. */
  start?: number;
  mode?: number;
  /** fsync before 'finish': the bytes are durable once the stream has finished. */
  syncOnFinish: boolean;
}

/**
 * A file sink that flushes what it has written to disk in the background while more arrives
 * (one fdatasync at a time, in libuv's pool, never in the write path), so a closing fsync has
 * almost nothing left: durability costs no wait at the end of a large upload. Node has no
 * sync_file_range, which would be the lighter way to start writeback.
 */
export class WritebackFile extends Writable {
  private handle?: fs.FileHandle;
  private position: number;
  private unflushed = 0;
  private flushing?: Promise<void>;
  private flushError?: Error;
  /** The write under way: the handle is closed only after it, so no byte lands after a close or a caller's truncate. */
  private writing?: Promise<void>;

  constructor(
    private readonly path: string,
    private readonly options: WritebackFileOptions,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.position = options.start ?? 0;
  }

  /** Bytes written so far, from `start`. */
  get bytesWritten(): number {
    return this.position - (this.options.start ?? 0);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    fs.open(this.path, this.options.flags, this.options.mode ?? 0o644).then(
      (handle) => {
        this.handle = handle;
        callback();
      },
      (error: Error) => callback(error),
    );
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const writing = this.writeAll(chunks.map((entry) => entry.chunk));
    this.writing = writing.catch(() => undefined);
    writing.then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.settle().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const closed = Promise.all([this.writing, this.flushing?.catch(() => undefined)]).then(() => this.handle?.close());
    closed.then(
      () => callback(error),
      (closeError: Error) => callback(error ?? closeError),
    );
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    if (this.flushError) throw this.flushError;
    let pending = buffers;
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle!.writev(pending, this.position);
      this.position += bytesWritten;
      this.unflushed += bytesWritten;
      pending = remainder(pending, bytesWritten);
    }
    if (this.unflushed >= WRITEBACK_BYTES && this.flushing === undefined) this.startFlush();
  }

  private startFlush(): void {
    this.unflushed = 0;
    this.flushing = this.handle!.datasync().then(
      () => void (this.flushing = undefined),
      (error: Error) => {
        this.flushing = undefined;
        this.flushError = error;
      },
    );
  }

  private async settle(): Promise<void> {
    await this.flushing;
    if (this.flushError) throw this.flushError;
    if (this.options.syncOnFinish) await this.handle!.sync();
  }
}

/** What is left of `buffers` after the first `written` bytes (a short write, rare on files). */
function remainder(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  let index = 0;
  while (index < buffers.length && skip >= buffers[index].length) skip -= buffers[index++].length;
  if (index === buffers.length) return [];
  return [buffers[index].subarray(skip), ...buffers.slice(index + 1)];
}
