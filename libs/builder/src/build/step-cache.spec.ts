import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { StepCache } from './step-cache';

describe('StepCache', () => {
  it('records the same step for many concurrent builds of one process without losing a write', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-step-cache-'));
    try {
      const cache = new StepCache(dir);
      const step = { layer: null, created: '2026-11-23T00:00:00.000Z' };
      // Same key, same millisecond: the daemon finishing one step for parallel builds.
      await Promise.all(Array.from({ length: 20 }, () => cache.put('k', step)));
      assert.deepEqual(await cache.get('k'), step);
      assert.deepEqual(await fs.readdir(dir), ['k.json'], 'no temp file left behind');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
