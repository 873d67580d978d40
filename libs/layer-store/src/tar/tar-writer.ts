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

/** Streams a tar archive from entries; backpressure reaches the entry source, so memory stays flat. */
export function packTar(entries: AsyncIterable<TarSourceEntry> | Iterable<TarSourceEntry>): Readable {
  const chunks = coalesce(generateTar(entries), OUTPUT_CHUNK_BYTES);
  return Readable.from(chunks, { objectMode: false, highWaterMark: OUTPUT_CHUNK_BYTES });
}

/** Headers and small files make tiny chunks; gzip and hashing run far faster on large ones. */
async function* coalesce(chunks: AsyncIterable<Buffer>, targetBytes: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    if (pendingBytes === 0 && chunk.length >= targetBytes) {
      yield chunk;
      continue;
    }
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < targetBytes) continue;
    yield Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

async function* generateTar(entries: AsyncIterable<TarSourceEntry> | Iterable<TarSourceEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    yield encodeHeader(entry.header);
    if (entry.header.type !== 'file' || entry.header.size === 0) continue;
    yield* contentChunks(entry);
    const padding = paddingFor(entry.header.size);
    if (padding > 0) yield Buffer.alloc(padding);
  }
  yield END_OF_ARCHIVE;
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
  if (written !== header.size) {
    throw new LayerStoreError(
      LayerStoreErrorCode.FileChanged,
      `${header.path} changed size while it was archived (expected ${header.size} bytes); ` +
        'stop whatever writes to it and build again',
      { path: header.path, expected: header.size },
    );
  }
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
