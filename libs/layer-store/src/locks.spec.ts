import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { FileLock } from './locks';
import { tempDir } from './spec-helpers';

describe('FileLock', () => {
  it('serialises sections in one process', async () => {
    const lock = new FileLock(join(tempDir(), 'lock'));
    const order: string[] = [];
    const section = (name: string) => async () => {
      order.push(`${name} in`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(`${name} out`);
    };
    await Promise.all([lock.withLock(section('a')), lock.withLock(section('b'))]);
    assert.deepEqual(order, ['a in', 'a out', 'b in', 'b out']);
  });

  it('takes over a lock file left by a dead process', async () => {
    const path = join(tempDir(), 'lock');
    await fs.writeFile(path, '424242 deadbeef');
    const lock = new FileLock(path, { probe: { isAlive: () => false } });
    assert.equal(await lock.withLock(async () => 'ran'), 'ran');
    await assert.rejects(fs.access(path), { code: 'ENOENT' });
  });

  it('takes over an empty lock file whose writer died before writing its pid', async () => {
    const path = join(tempDir(), 'lock');
    await fs.writeFile(path, '');
    const minuteAgo = (Date.now() - 60_000) / 1000;
    await fs.utimes(path, minuteAgo, minuteAgo);
    const lock = new FileLock(path, { timeoutMs: 1000 });
    assert.equal(await lock.withLock(async () => 'ran'), 'ran');
  });

  it('times out, naming the holder, while a live process holds it', async () => {
    const path = join(tempDir(), 'lock');
    await fs.writeFile(path, '424242 cafe');
    const lock = new FileLock(path, { timeoutMs: 50, probe: { isAlive: () => true } });
    await assert.rejects(lock.withLock(async () => 'never'), (error: unknown) => {
      assert.ok(error instanceof LayerStoreError && error.code === LayerStoreErrorCode.LockTimeout);
      assert.match(error.message, /424242/);
      return true;
    });
  });
});
