import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '@berth/layer-store';

/** What a cached step produced: a layer (or nothing, for a step that changed no file). */
export interface CachedStep {
  layer: { diffId: Digest; digest: Digest; size: number } | null;
  created: string;
}

/** A cache key: the parent's key plus everything that decides the step's result. */
export function stepKey(parentKey: string, parts: unknown): string {
  return createHash('sha256').update(parentKey).update('\0').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Step results by cache key, one small JSON file each, written atomically. A record whose
 * layer blob was garbage-collected is a miss, so the cache never outlives the store.
 */
export class StepCache {
  constructor(private readonly dir: string) {}

  async get(key: string): Promise<CachedStep | null> {
    try {
      return JSON.parse(await fs.readFile(this.file(key), 'utf8')) as CachedStep;
    } catch {
      return null;
    }
  }

  async put(key: string, step: CachedStep): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    // Unique per write: one daemon can finish the same step for two builds in the same millisecond.
    const temp = `${this.file(key)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(temp, JSON.stringify(step));
    await fs.rename(temp, this.file(key));
  }

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }
}
