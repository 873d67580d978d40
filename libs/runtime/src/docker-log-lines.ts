import { Transform, TransformCallback } from 'node:stream';
import type { ContainerLogLine } from './container-runtime.port';

const HEADER_BYTES = 8;
const STREAMS: Record<number, ContainerLogLine['stream']> = { 1: 'stdout', 2: 'stderr' };

/**
 * Docker's multiplexed log stream (no TTY) with timestamps=true, as objects: each frame is
 * [stream, 0, 0, 0, size BE32] then "RFC3339NANO message\n". Frames may be split across
 * chunks, so bytes wait here until a whole frame is in. Being a Transform, it pauses the
 * socket when its reader falls behind (backpressure instead of buffering without bound).
 */
export class DockerLogLineParser extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  constructor() {
    super({ readableObjectMode: true, readableHighWaterMark: 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (offset + HEADER_BYTES <= this.pending.length) {
      const size = this.pending.readUInt32BE(offset + 4);
      if (offset + HEADER_BYTES + size > this.pending.length) break;
      const stream = STREAMS[this.pending[offset]];
      const payload = this.pending.toString('utf8', offset + HEADER_BYTES, offset + HEADER_BYTES + size);
      if (stream) for (const line of parsePayload(stream, payload)) this.push(line);
      offset += HEADER_BYTES + size;
    }
    this.pending = this.pending.subarray(offset);
    callback();
  }
}

/** One frame's text: normally one line; split defensively should a frame carry several. */
export function parsePayload(stream: ContainerLogLine['stream'], payload: string): ContainerLogLine[] {
  const text = payload.endsWith('\n') ? payload.slice(0, -1) : payload;
  const lines: ContainerLogLine[] = [];
  for (const raw of text.split('\n')) {
    const space = raw.indexOf(' ');
    if (space <= 0 || !/^\d{4}-\d\d-\d\dT/.test(raw)) {
      // A continuation without its own timestamp belongs to the previous line's moment.
      const previous = lines[lines.length - 1];
      if (previous) lines.push({ stream, time: previous.time, message: raw });
      continue;
    }
    lines.push({ stream, time: raw.slice(0, space), message: raw.slice(space + 1).replace(/\r$/, '') });
  }
  return lines;
}

/** "2026-11-22T21:10:00.123456789Z" -> "1795381800.123456789", the form Docker's `since` takes. */
export function dockerSince(time: string): string {
  const match = /^(.{19})(?:\.(\d{1,9}))?Z$/.exec(time);
  if (!match) throw new Error(`not an RFC 3339 UTC timestamp: ${time}`);
  const seconds = Math.floor(Date.parse(`${match[1]}Z`) / 1000);
  return `${seconds}.${(match[2] ?? '').padEnd(9, '0')}`;
}
