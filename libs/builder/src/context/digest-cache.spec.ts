import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DigestCache } from './digest-cache';

describe('DigestCache', () => {
  it('answers from the cache for an unchanged file saved long enough ago, and hashes a changed one again', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-digests-'));
    const file = path.join(dir, 'a.txt');
    await fs.writeFile(file, 'one');
    const old = new Date(Date.now() - 60_000 + 123); // not a whole second: a nanosecond-timestamp file
    await fs.utimes(file, old, old);
    let computed = 0;
    const compute = async () => `digest-${++computed}`;
    const first = await new DigestCache(path.join(dir, 'cache.json')).load();
    assert.equal(await first.digest(file, compute), 'digest-1');
    await first.save();
    // ctime is now (utimes changed it): only a cache saved a little later trusts it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await new DigestCache(path.join(dir, 'cache.json')).load();
    assert.equal(await again.digest(file, compute), 'digest-2', 'racy: changed just before the save');
    await again.save();
    const third = await new DigestCache(path.join(dir, 'cache.json')).load();
    assert.equal(await third.digest(file, compute), 'digest-2', 'unchanged since a later save: from the cache');
    await fs.writeFile(file, 'two!');
    assert.equal(await third.digest(file, compute), 'digest-3', 'a changed file is hashed again');
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps a two-second racy window for files with whole-second timestamps', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-digests-'));
    const file = path.join(dir, 'coarse.txt');
    await fs.writeFile(file, 'one');
    const wholeSecond = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    await fs.utimes(file, wholeSecond, wholeSecond);
    let computed = 0;
    const compute = async () => `digest-${++computed}`;
    const first = await new DigestCache(path.join(dir, 'cache.json')).load();
    await first.digest(file, compute);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await first.save();
    const again = await new DigestCache(path.join(dir, 'cache.json')).load();
    assert.equal(await again.digest(file, compute), 'digest-2', 'a whole-second mtime 1 s before the save is racy');
    await fs.rm(dir, { recursive: true, force: true });
  });
});
