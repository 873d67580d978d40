import { Readable } from 'node:stream';
import { LayerStoreError, LayerStoreErrorCode } from '../errors';
import {
  BLOCK_SIZE,
  encodePaxRecords,
  encodeUstarBlock,
  isPortableString,
  octalLimit,
  paddingFor,
  TarHeader,
  typeFlagOf,
  XATTR_PAX_PREFIX,
} from './tar-header';

export type TarContent = Buffer | (() => AsyncIterable<Uint8Array>);

export interface TarSourceEntry {
  header: TarHeader;
  /** Regular files only; must yield exactly header.size bytes. */
  content?: TarContent;
}

const NAME_BYTES = 100;
const OUTPUT_CHUNK_BYTES = 256 * 1024;
const END_OF_ARCHIVE = Buffer.alloc(BLOCK_SIZE * 2);

export type TarEntrySource = AsyncIterable<TarSourceEntry> | Iterable<TarSourceEntry> | PromiseLike<Iterable<TarSourceEntry>>;

/** Streams a tar archive from entries; backpressure reaches the entry source, so memory stays flat. */
export function packTar(entries: TarEntrySource): Readable {
  return Readable.from(generateTar(entries), { objectMode: false, highWaterMark: OUTPUT_CHUNK_BYTES });
}

/**
 * Headers, small files and padding are copied into one output chunk at a time: a layer of
 * thousands of tiny files becomes a few large chunks (gzip and hashing run far faster on those),
 * with one yield per chunk instead of three per file. Streamed (large) contents pass through.
 */
async function* generateTar(source: TarEntrySource): AsyncGenerator<Buffer> {
  const output = new ChunkBuilder(OUTPUT_CHUNK_BYTES);
  const entries = isPromiseLike(source) ? await source : source;
  // A synchronous source is walked without a promise per entry.
  const iterable = Symbol.iterator in entries ? (entries as Iterable<TarSourceEntry>) : null;
  if (iterable) {
    for (const entry of iterable) {
      for (const piece of entryChunks(output, entry)) yield* Buffer.isBuffer(piece) ? [piece] : piece;
    }
  } else {
    for await (const entry of entries) {
      for (const piece of entryChunks(output, entry)) yield* Buffer.isBuffer(piece) ? [piece] : piece;
    }
  }
  output.append(END_OF_ARCHIVE);
  yield output.take();
}

/** Buffers the entry into `output`, yielding only when a chunk is full or the content streams. */
function* entryChunks(output: ChunkBuilder, entry: TarSourceEntry): Generator<Buffer | AsyncIterable<Buffer>, void, undefined> {
  output.append(encodeHeader(entry.header));
  const size = entry.header.type === 'file' ? entry.header.size : 0;
  if (size > 0 && Buffer.isBuffer(entry.content)) {
    checkContentSize(entry.header, entry.content.length);
    output.append(entry.content);
  } else if (size > 0) {
    if (!output.isEmpty()) yield output.take();
    yield contentChunks(entry);
  }
  if (size > 0) output.append(PADDING.subarray(0, paddingFor(size)));
  if (output.isFull()) yield output.take();
}

const PADDING = Buffer.alloc(BLOCK_SIZE);

/** Accumulates small buffers into chunks of about `target` bytes; a taken chunk is never written again. */
class ChunkBuilder {
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly target: number) {}

  append(buffer: Buffer): void {
    if (buffer.length === 0) return;
    this.parts.push(buffer);
    this.bytes += buffer.length;
  }

  isFull(): boolean {
    return this.bytes >= this.target;
  }

  isEmpty(): boolean {
    return this.bytes === 0;
  }

  take(): Buffer {
    const chunk = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    return chunk;
  }
}

function isPromiseLike(value: TarEntrySource): value is PromiseLike<Iterable<TarSourceEntry>> {
  return typeof (value as PromiseLike<unknown>).then === 'function';
}

function checkContentSize(header: TarHeader, written: number): void {
  if (written === header.size) return;
  throw new LayerStoreError(
    LayerStoreErrorCode.FileChanged,
    `${header.path} changed size while it was archived (expected ${header.size} bytes); ` +
      'stop whatever writes to it and build again',
    { path: header.path, expected: header.size },
  );
}

async function* contentChunks(entry: TarSourceEntry): AsyncGenerator<Buffer> {
  const { content, header } = entry;
  const chunks = content === undefined ? [] : Buffer.isBuffer(content) ? [content] : content();
  let written = 0;
  for await (const chunk of chunks) {
    written += chunk.length;
    if (written > header.size) break;
    yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  }
  checkContentSize(header, written);
}

/** The header blocks for one entry: a PAX extended header first when ustar cannot say everything. */
export function encodeHeader(header: TarHeader): Buffer {
  const name = header.type === 'directory' ? `${header.path}/` : header.path;
  const linkname = header.linkTarget ?? '';
  const pax = paxRecordsFor(header, name, linkname);
  const ustar = encodeUstarBlock({
    name: pax.has('path') ? asciiFallback(name) : name,
    mode: header.mode & 0o7777,
    uid: header.uid,
    gid: header.gid,
    size: header.type === 'file' ? header.size : 0,
    mtime: Math.max(0, header.mtime),
    typeflag: typeFlagOf(header.type),
    linkname: pax.has('linkpath') ? asciiFallback(linkname) : linkname,
    uname: header.uname ?? '',
    gname: header.gname ?? '',
    devmajor: header.devMajor ?? 0,
    devminor: header.devMinor ?? 0,
  });
  if (pax.size === 0) return ustar;
  return Buffer.concat([encodePaxHeader(pax, name, header.mtime), ustar]);
}

function paxRecordsFor(header: TarHeader, name: string, linkname: string): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  const text = (key: string, value: string | number): void => void records.set(key, Buffer.from(String(value)));
  if (!isPortableString(name, NAME_BYTES)) text('path', name);
  if (!isPortableString(linkname, NAME_BYTES)) text('linkpath', linkname);
  if (header.type === 'file' && header.size > octalLimit('size')) text('size', header.size);
  if (header.uid > octalLimit('uid')) text('uid', header.uid);
  if (header.gid > octalLimit('uid')) text('gid', header.gid);
  if (header.mtime < 0 || header.mtime > octalLimit('mtime')) text('mtime', header.mtime);
  const xattrNames = [...(header.xattrs?.keys() ?? [])].sort();
  for (const xattr of xattrNames) records.set(`${XATTR_PAX_PREFIX}${xattr}`, header.xattrs?.get(xattr) ?? Buffer.alloc(0));
  return records;
}

/** The PAX header's own name is ignored by readers; it is derived from the entry so output stays deterministic. */
function encodePaxHeader(records: Map<string, Buffer>, name: string, mtime: number): Buffer {
  const data = encodePaxRecords([...records.entries()]);
  const block = encodeUstarBlock({
    name: asciiFallback(`PaxHeaders/${name.replace(/\/$/, '').split('/').pop() ?? ''}`),
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: data.length,
    mtime: Math.min(Math.max(0, mtime), octalLimit('mtime')),
    typeflag: 'x',
    linkname: '',
    uname: '',
    gname: '',
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([block, data, Buffer.alloc(paddingFor(data.length))]);
}

function asciiFallback(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '_').slice(0, NAME_BYTES);
}
