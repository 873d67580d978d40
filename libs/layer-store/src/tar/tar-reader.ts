import { LayerStoreError, LayerStoreErrorCode } from '../errors';
import { ByteReader } from './byte-reader';
import {
  BLOCK_SIZE,
  corrupt,
  decodePaxRecords,
  decodeUstarBlock,
  entryTypeOfFlag,
  paddingFor,
  RawHeaderFields,
  TarHeader,
  XATTR_PAX_PREFIX,
} from './tar-header';

export interface TarReadEntry {
  header: TarHeader;
  /** Iterate at most once; whatever is left unread is skipped before the next entry. */
  body: AsyncIterable<Buffer>;
}

/** Metadata entries (PAX, GNU long names) are small; a huge one is an attack, not a name. */
const MAX_METADATA_BYTES = 1024 * 1024;

interface PendingOverrides {
  pax: Map<string, Buffer>;
  longName?: string;
  longLink?: string;
}

/** Parses a tar stream (ustar, PAX and GNU long names) into entries with streamed bodies. */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarReadEntry> {
  const reader = ByteReader.from(source);
  try {
    let pending: PendingOverrides = { pax: new Map() };
    for (;;) {
      const block = await reader.readExact(BLOCK_SIZE);
      const raw = block === null ? null : decodeUstarBlock(block);
      if (raw === null) break;
      if (await consumeMetadataEntry(reader, raw, pending)) continue;
      const header = buildHeader(raw, pending);
      pending = { pax: new Map() };
      const cursor = { remaining: header.type === 'file' ? header.size : 0 };
      yield { header, body: bodyOf(reader, cursor) };
      await reader.skip(cursor.remaining + paddingFor(header.type === 'file' ? header.size : 0));
    }
    await reader.drain();
  } finally {
    await reader.close();
  }
}

async function consumeMetadataEntry(reader: ByteReader, raw: RawHeaderFields, pending: PendingOverrides): Promise<boolean> {
  switch (raw.typeflag) {
    case 'x':
      for (const [key, value] of decodePaxRecords(await readMetadata(reader, raw.size))) pending.pax.set(key, value);
      return true;
    case 'L':
      pending.longName = cString(await readMetadata(reader, raw.size));
      return true;
    case 'K':
      pending.longLink = cString(await readMetadata(reader, raw.size));
      return true;
    case 'g':
    case 'V':
      // Global PAX headers (comments from git archive) and volume labels change nothing Berth uses.
      await reader.skip(raw.size + paddingFor(raw.size));
      return true;
    default:
      return false;
  }
}

async function readMetadata(reader: ByteReader, size: number): Promise<Buffer> {
  if (size > MAX_METADATA_BYTES) throw corrupt(`a metadata entry claims ${size} bytes`);
  const data = (await reader.readExact(size)) ?? Buffer.alloc(0);
  await reader.skip(paddingFor(size));
  return data;
}

function buildHeader(raw: RawHeaderFields, pending: PendingOverrides): TarHeader {
  const pax = pending.pax;
  const text = (key: string): string | undefined => pax.get(key)?.toString('utf8');
  const number = (key: string, fallback: number): number => parsePaxNumber(text(key), fallback, key);
  const path = text('path') ?? pending.longName ?? raw.name;
  const type = typeOf(raw, path);
  const header: TarHeader = {
    path: path.replace(/\/+$/, ''),
    type,
    mode: raw.mode & 0o7777,
    uid: number('uid', raw.uid),
    gid: number('gid', raw.gid),
    size: type === 'file' ? number('size', raw.size) : 0,
    mtime: Math.floor(number('mtime', raw.mtime)),
    uname: text('uname') ?? raw.uname,
    gname: text('gname') ?? raw.gname,
  };
  if (type === 'symlink' || type === 'hardlink') header.linkTarget = text('linkpath') ?? pending.longLink ?? raw.linkname;
  if (type === 'char-device' || type === 'block-device') {
    Object.assign(header, { devMajor: raw.devmajor, devMinor: raw.devminor });
  }
  const xattrs = xattrsOf(pax);
  if (xattrs.size > 0) header.xattrs = xattrs;
  return header;
}

function typeOf(raw: RawHeaderFields, path: string): TarHeader['type'] {
  const type = entryTypeOfFlag(raw.typeflag);
  if (type === undefined) {
    throw new LayerStoreError(
      LayerStoreErrorCode.UnsupportedArchive,
      `tar entry ${JSON.stringify(path)} has type ${JSON.stringify(raw.typeflag)} (sparse or vendor-specific), ` +
        'which Berth cannot unpack; rebuild the layer with a POSIX tar',
      { path, typeflag: raw.typeflag },
    );
  }
  // Pre-POSIX archives mark directories only by a trailing slash.
  return type === 'file' && path.endsWith('/') ? 'directory' : type;
}

function xattrsOf(pax: Map<string, Buffer>): Map<string, Buffer> {
  const xattrs = new Map<string, Buffer>();
  for (const [key, value] of pax) {
    if (key.startsWith(XATTR_PAX_PREFIX)) xattrs.set(key.slice(XATTR_PAX_PREFIX.length), Buffer.from(value));
    if (key.startsWith('GNU.sparse.')) {
      throw new LayerStoreError(
        LayerStoreErrorCode.UnsupportedArchive,
        'sparse tar entries are not supported; rebuild the layer without --sparse',
      );
    }
  }
  return xattrs;
}

function parsePaxNumber(value: string | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw corrupt(`PAX ${key} is ${JSON.stringify(value)}`);
  return number;
}

function bodyOf(reader: ByteReader, cursor: { remaining: number }): AsyncIterable<Buffer> {
  return {
    async *[Symbol.asyncIterator]() {
      while (cursor.remaining > 0) {
        const chunk = await reader.readSome(cursor.remaining);
        cursor.remaining -= chunk.length;
        yield chunk;
      }
    },
  };
}

function cString(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul === -1 ? data.length : nul);
}
