import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CommandLineSystemTools, extractLayerTar } from '@berth/layer-store';
import { secureJoin } from '../fs/secure-join';

type Compression = 'none' | 'gzip' | 'bzip2' | 'xz';

/** An archive may expand this many times over its size (and at least MIN bytes) before it counts as a bomb. */
const MAX_EXPANSION_RATIO = 100;
const MIN_EXPANSION_LIMIT = 256 * 1024 * 1024;

/** ADD unpacks local tar archives (plain, gzip, bzip2, xz), as Docker does; other files are copied. */
export async function detectTarArchive(file: string): Promise<Compression | null> {
  const head = await readHead(file, 6);
  const compression = compressionOf(head);
  const block = compression === 'none' ? await readHead(file, 512) : await readHead(decompress(file, compression), 512);
  return block.length === 512 && block.subarray(257, 262).toString('latin1') === 'ustar' ? compression : null;
}

/**
 * Unpacks an archive into `dest` inside an image root: first into an empty scratch dir with
 * the layer store's hardened extractor (no absolute paths, no '..', nothing written through a
 * symlink), then merged into the root with every path resolved inside it.
 */
export async function unpackArchiveInto(file: string, compression: Compression, rootfs: string, dest: string, scratchDir: string): Promise<void> {
  const staging = await fs.mkdtemp(path.join(scratchDir, 'add-'));
  try {
    const limit = Math.max(MIN_EXPANSION_LIMIT, (await fs.stat(file)).size * MAX_EXPANSION_RATIO);
    await extractLayerTar(capped(decompress(file, compression), limit, file), staging, new CommandLineSystemTools());
    await mergeTree(staging, rootfs, dest);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

function compressionOf(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  return 'none';
}

function decompress(file: string, compression: Compression): Readable {
  const raw = createReadStream(file);
  if (compression === 'none') return raw;
  if (compression === 'gzip') return raw.pipe(createGunzip());
  const tool = spawn(compression === 'bzip2' ? 'bzip2' : 'xz', ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
  raw.pipe(tool.stdin);
  tool.stdin.on('error', () => undefined);
  return tool.stdout;
}

async function* capped(source: Readable, limit: number, file: string): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      source.destroy();
      throw new Error(`${path.basename(file)} expands to more than ${limit} bytes; refusing it as a possible tar bomb`);
    }
    yield chunk;
  }
}

async function readHead(source: string | Readable, bytes: number): Promise<Buffer> {
  const stream = typeof source === 'string' ? createReadStream(source, { start: 0, end: bytes - 1 }) : source;
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= bytes) break;
    }
  } catch {
    // A stream that fails to decompress is simply not an archive.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}

/** Staging files with several names, by `dev:ino`, to the first target written: later names become hardlinks. */
type LinkMap = Map<string, string>;

/** Moves an extracted tree into the root under `dest`, keeping owners, modes and hardlinks; directories merge. */
async function mergeTree(from: string, rootfs: string, dest: string, links: LinkMap = new Map()): Promise<void> {
  for (const name of (await fs.readdir(from)).sort()) {
    const source = path.join(from, name);
    const target = await secureJoin(rootfs, path.posix.join(dest, name));
    const stat = await fs.lstat(source);
    const existing = await fs.lstat(target).catch(() => null);
    if (stat.isDirectory()) {
      if (existing && !existing.isDirectory()) await fs.rm(target, { recursive: true });
      if (!existing?.isDirectory()) await fs.mkdir(target, { recursive: true });
      await mergeTree(source, rootfs, path.posix.join(dest, name), links);
      await fs.chmod(target, stat.mode & 0o7777);
      await fs.lchown(target, stat.uid, stat.gid);
      continue;
    }
    if (existing) await fs.rm(target, { recursive: true });
    await fs.mkdir(path.dirname(target), { recursive: true });
    const identity = `${stat.dev}:${stat.ino}`;
    const firstName = stat.isFile() && stat.nlink > 1 ? links.get(identity) : undefined;
    if (firstName) {
      await fs.link(firstName, target);
      continue;
    }
    if (stat.isFile() && stat.nlink > 1) links.set(identity, target);
    await fs.cp(source, target, { preserveTimestamps: true, verbatimSymlinks: true });
    // chown clears setuid/setgid bits, so the mode is applied after it.
    await fs.lchown(target, stat.uid, stat.gid);
    if (!stat.isSymbolicLink()) await fs.chmod(target, stat.mode & 0o7777);
  }
}
