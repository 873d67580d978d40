import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { Digest } from './digest';
import { LayerStore, LayerStoreOptions } from './layer-store';
import { packTar, TarSourceEntry } from './tar/tar-writer';

/** A temp directory removed when the test file finishes. */
export function tempDir(prefix = 'layer-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function openTempStore(options: Partial<LayerStoreOptions> = {}): Promise<LayerStore> {
  return LayerStore.open({ root: join(tempDir('layer-store-root-'), 'store'), ...options });
}

export async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export function sha256Of(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A tar built from explicit headers, for archives a filesystem walk would never produce. */
export function tarOf(entries: TarSourceEntry[]): Promise<Buffer> {
  return readAll(packTar(entries));
}

export function fileHeader(path: string, content: string): TarSourceEntry {
  const bytes = Buffer.from(content);
  const header = { path, type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: bytes.length, mtime: 1_600_000_000 };
  return { header, content: bytes };
}

export function run(command: string, args: string[], input?: Buffer): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

export async function listTree(dir: string, prefix = ''): Promise<string[]> {
  const names = (await fs.readdir(join(dir, prefix))).sort();
  const paths: string[] = [];
  for (const name of names) {
    const relative = prefix === '' ? name : `${prefix}/${name}`;
    paths.push(relative);
    if ((await fs.lstat(join(dir, relative))).isDirectory()) paths.push(...(await listTree(dir, relative)));
  }
  return paths;
}
