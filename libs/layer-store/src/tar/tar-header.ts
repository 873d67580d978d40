import { LayerStoreError, LayerStoreErrorCode } from '../errors';

export const BLOCK_SIZE = 512;

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char-device' | 'block-device' | 'directory' | 'fifo';

/** One archive member. Paths are relative and carry no trailing slash; the encoder adds it for directories. */
export interface TarHeader {
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid, setgid and sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Content length; zero for everything but regular files. */
  size: number;
  /** Whole seconds since the epoch. */
  mtime: number;
  linkTarget?: string;
  devMajor?: number;
  devMinor?: number;
  uname?: string;
  gname?: string;
  /** Extended attributes carried as PAX `SCHILY.xattr.<name>` records; values are raw bytes. */
  xattrs?: Map<string, Buffer>;
}

const TYPE_FLAGS: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'char-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

export const XATTR_PAX_PREFIX = 'SCHILY.xattr.';

const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 8],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const;

type FieldName = keyof typeof FIELD;

export function typeFlagOf(type: TarEntryType): string {
  return TYPE_FLAGS[type];
}

export function entryTypeOfFlag(flag: string): TarEntryType | undefined {
  if (flag === '\0' || flag === '7') return 'file';
  return (Object.keys(TYPE_FLAGS) as TarEntryType[]).find((type) => TYPE_FLAGS[type] === flag);
}

/** The largest value an octal field of this width can hold (one byte is the terminator). */
export function octalLimit(field: 'uid' | 'size' | 'mtime'): number {
  return 8 ** (FIELD[field][1] - 1) - 1;
}

export interface RawHeaderFields {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

/** Writes a ustar header block; numbers too large for octal use GNU base-256, which GNU tar and Go read. */
export function encodeUstarBlock(fields: RawHeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  writeString(block, 'name', fields.name);
  writeNumber(block, 'mode', fields.mode);
  writeNumber(block, 'uid', fields.uid);
  writeNumber(block, 'gid', fields.gid);
  writeNumber(block, 'size', fields.size);
  writeNumber(block, 'mtime', fields.mtime);
  block.write(fields.typeflag, FIELD.typeflag[0], 'latin1');
  writeString(block, 'linkname', fields.linkname);
  block.write('ustar\u000000', FIELD.magic[0], 'latin1');
  writeString(block, 'uname', fields.uname);
  writeString(block, 'gname', fields.gname);
  writeNumber(block, 'devmajor', fields.devmajor);
  writeNumber(block, 'devminor', fields.devminor);
  block.write('        ', FIELD.checksum[0], 'latin1');
  let checksum = 0;
  for (let index = 0; index < BLOCK_SIZE; index++) checksum += block[index] as number;
  block.write(`${checksum.toString(8).padStart(6, '0')}\u0000 `, FIELD.checksum[0], 'latin1');
  return block;
}

/** Reads a header block; null for an all-zero block, which marks the end of the archive. */
export function decodeUstarBlock(block: Buffer): RawHeaderFields | null {
  if (block.every((byte) => byte === 0)) return null;
  checkChecksum(block);
  const isPosixUstar = block.toString('latin1', 257, 263) === 'ustar\u0000';
  const prefix = isPosixUstar ? readString(block, 'prefix') : '';
  const name = readString(block, 'name');
  return {
    name: prefix === '' ? name : `${prefix}/${name}`,
    mode: readNumber(block, 'mode'),
    uid: readNumber(block, 'uid'),
    gid: readNumber(block, 'gid'),
    size: readNumber(block, 'size'),
    mtime: readNumber(block, 'mtime'),
    typeflag: block.toString('latin1', 156, 157),
    linkname: readString(block, 'linkname'),
    uname: readString(block, 'uname'),
    gname: readString(block, 'gname'),
    devmajor: readNumber(block, 'devmajor'),
    devminor: readNumber(block, 'devminor'),
  };
}

/** PAX records are `<length> <key>=<value>\n`, where length counts the whole record including itself. */
export function encodePaxRecords(records: [string, Buffer][]): Buffer {
  return Buffer.concat(
    records.map(([key, value]) => {
      const base = Buffer.byteLength(key) + value.length + 3;
      let length = base + String(base).length;
      if (String(length).length !== String(base).length) length = base + String(length).length;
      return Buffer.concat([Buffer.from(`${length} ${key}=`), value, Buffer.from('\n')]);
    }),
  );
}

export function decodePaxRecords(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let offset = 0;
  while (offset < data.length && data[offset] !== 0) {
    const space = data.indexOf(0x20, offset);
    const length = Number.parseInt(data.toString('latin1', offset, space), 10);
    const end = offset + length;
    if (space === -1 || !Number.isSafeInteger(length) || length <= 0 || end > data.length || data[end - 1] !== 0x0a) {
      throw corrupt('a PAX extended header record is malformed');
    }
    const equals = data.indexOf(0x3d, space + 1);
    if (equals === -1 || equals >= end) throw corrupt('a PAX extended header record has no "="');
    records.set(data.toString('utf8', space + 1, equals), data.subarray(equals + 1, end - 1));
    offset = end;
  }
  return records;
}

export function paddingFor(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

export function isPortableString(value: string, maxBytes: number): boolean {
  return Buffer.byteLength(value) <= maxBytes && /^[\x20-\x7e]*$/.test(value);
}

export function corrupt(reason: string): LayerStoreError {
  return new LayerStoreError(
    LayerStoreErrorCode.CorruptArchive,
    `the tar archive is damaged: ${reason}; rebuild or re-download the layer`,
    { reason },
  );
}

function writeString(block: Buffer, field: FieldName, value: string): void {
  const [offset, length] = FIELD[field];
  block.write(value, offset, length, 'utf8');
}

function writeNumber(block: Buffer, field: FieldName, value: number): void {
  const [offset, length] = FIELD[field];
  if (value >= 0 && value < 8 ** (length - 1)) {
    block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
    return;
  }
  if (value < 0 || !Number.isSafeInteger(value)) throw new RangeError(`${field} ${value} cannot be stored in a tar header`);
  block[offset] = 0x80;
  let rest = BigInt(value);
  for (let index = offset + length - 1; index > offset; index--) {
    block[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

function readString(block: Buffer, field: FieldName): string {
  const [offset, length] = FIELD[field];
  const slice = block.subarray(offset, offset + length);
  const nul = slice.indexOf(0);
  return slice.toString('utf8', 0, nul === -1 ? length : nul);
}

function readNumber(block: Buffer, field: FieldName): number {
  const [offset, length] = FIELD[field];
  if ((block[offset] ?? 0) & 0x80) return readBase256(block.subarray(offset, offset + length), field);
  // Writers differ in padding and terminators; the digits up to the first terminator are the value.
  const digits = /^[ \0]*([0-7]*)/.exec(block.toString('latin1', offset, offset + length))?.[1] ?? '';
  return digits === '' ? 0 : Number.parseInt(digits, 8);
}

function readBase256(bytes: Buffer, field: FieldName): number {
  if (bytes[0] === 0xff) throw corrupt(`header field ${field} is negative`);
  let value = BigInt((bytes[0] ?? 0) & 0x7f);
  for (const byte of bytes.subarray(1)) value = (value << 8n) | BigInt(byte);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`header field ${field} is too large`);
  return Number(value);
}

function checkChecksum(block: Buffer): void {
  const stored = readNumber(block, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < BLOCK_SIZE; index++) {
    const byte = index >= 148 && index < 156 ? 0x20 : (block[index] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) throw corrupt('a header checksum does not match');
}
