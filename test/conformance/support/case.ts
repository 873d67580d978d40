import fs from 'node:fs/promises';
import path from 'node:path';
import type { ConfigField } from './compare';

/** The base image's name in Dockerfiles; the runner substitutes this run's busybox image. */
export const BASE = '{{busybox}}';

/**
 * A context file: text or bytes (mode 0644), or an entry with a mode (setuid/setgid/sticky
 * included; applied with chmod, so the umask does not interfere), a directory, a symlink, or a
 * hardlink to another context file written earlier in the same object.
 */
export type ContextFile =
  | string
  | Buffer
  | { content: string | Buffer; mode: number }
  | { dir: true; mode?: number }
  | { symlink: string }
  | { hardlinkTo: string };

/** What a hand-written expectation says about one path (all of it is compared). */
export type ExpectedEntry =
  | { type: 'file'; content: string; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; target: string; uid?: number; gid?: number };

/**
 * For features Docker 20.10 lacks (heredocs, COPY --link): the image must be the base image's
 * file system plus exactly these paths, with these config fields.
 */
export interface HandWrittenExpectation {
  paths: Record<string, ExpectedEntry>;
  config?: Partial<Record<ConfigField, unknown>>;
}

export interface ConformanceCase {
  /** Unique, lowercase, [a-z0-9-]: also names the images. */
  name: string;
  /** What the case checks, for whoever reads a failure. */
  covers: string;
  dockerfile: string;
  /** `-f`: the Dockerfile's path inside the context (default `Dockerfile`). */
  dockerfileName?: string;
  files?: Record<string, ContextFile>;
  /** Generates what is too large or too special to spell out in `files`. */
  setup?(contextDir: string): Promise<void>;
  buildArgs?: Record<string, string>;
  target?: string;
  /** Compared against this instead of Docker's build. */
  expected?: HandWrittenExpectation;
}

/** Writes a case's build context into `dir` (which exists and is empty). */
export async function writeContext(kase: ConformanceCase, dir: string, baseImage: string): Promise<void> {
  const dockerfile = kase.dockerfile.split(BASE).join(baseImage);
  await fs.mkdir(path.dirname(path.join(dir, kase.dockerfileName ?? 'Dockerfile')), { recursive: true });
  await fs.writeFile(path.join(dir, kase.dockerfileName ?? 'Dockerfile'), dockerfile);
  for (const [name, file] of Object.entries(kase.files ?? {})) await writeContextFile(dir, name, file);
  await kase.setup?.(dir);
}

async function writeContextFile(dir: string, name: string, file: ContextFile): Promise<void> {
  const target = path.join(dir, name);
  await fs.mkdir(path.dirname(target), { recursive: true });
  if (typeof file === 'string' || Buffer.isBuffer(file)) {
    await fs.writeFile(target, file);
    await fs.chmod(target, 0o644);
  } else if ('content' in file) {
    await fs.writeFile(target, file.content);
    await fs.chmod(target, file.mode);
  } else if ('dir' in file) {
    await fs.mkdir(target, { recursive: true });
    await fs.chmod(target, file.mode ?? 0o755);
  } else if ('symlink' in file) {
    await fs.symlink(file.symlink, target);
  } else {
    await fs.link(path.join(dir, file.hardlinkTo), target);
  }
}
