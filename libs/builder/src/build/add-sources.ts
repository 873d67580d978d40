import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AddInstruction } from '@berth/dockerfile';
import { BuildContext } from '../context/build-context.port';
import { DirectoryContext } from '../context/directory-context';
import { BuilderError, BuilderErrorCode } from './builder.errors';

const DOWNLOAD_TIMEOUT_MS = 10 * 60 * 1000;

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * ADD of URLs: each is downloaded into a small context of its own (mode 0600, as Docker does),
 * verified against --checksum when given. Redirects are followed; nothing is sent but a GET.
 */
export async function downloadAddSources(instruction: AddInstruction, scratchDir: string): Promise<{ context: BuildContext; names: string[] }> {
  const dir = await fs.mkdtemp(path.join(scratchDir, 'download-'));
  const names: string[] = [];
  for (const url of instruction.sources) {
    const name = path.posix.basename(new URL(url).pathname) || 'download';
    const digest = await download(url, path.join(dir, name), instruction.line);
    if (instruction.checksum && instruction.checksum !== digest) {
      throw new BuilderError(BuilderErrorCode.CopyFailed, `line ${instruction.line}: ADD ${url}: checksum ${digest} does not match --checksum=${instruction.checksum}`);
    }
    await fs.chmod(path.join(dir, name), 0o600);
    names.push(name);
  }
  return { context: new DirectoryContext(dir), names };
}

async function download(url: string, file: string, line: number): Promise<string> {
  const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) }).catch((error: Error) => {
    throw new BuilderError(BuilderErrorCode.CopyFailed, `line ${line}: ADD ${url}: ${error.message}`);
  });
  if (!response.ok || !response.body) {
    throw new BuilderError(BuilderErrorCode.CopyFailed, `line ${line}: ADD ${url}: the server answered ${response.status} ${response.statusText}`);
  }
  const hash = createHash('sha256');
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(body, createWriteStream(file, { mode: 0o600 }));
  return `sha256:${hash.digest('hex')}`;
}

/** Copies a context file to a local path, so archive detection and extraction can read it. */
export async function spoolContextFile(context: BuildContext, relativePath: string, file: string): Promise<void> {
  await pipeline(context.open(relativePath), createWriteStream(file, { mode: 0o600 }));
}
