import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileMasterKey, SecretBox } from './secret-box';

describe('SecretBox', () => {
  const fixedKey = (byte: number) => ({ read: async () => Buffer.alloc(32, byte) });

  it('round-trips, and two seals of one secret differ', async () => {
    const box = new SecretBox(fixedKey(1));
    const a = await box.seal('ghp_token');
    const b = await box.seal('ghp_token');
    assert.notEqual(a, b);
    assert.doesNotMatch(a, /ghp_token/);
    assert.equal(await box.open(a), 'ghp_token');
  });

  it('refuses tampered ciphertext and another master key', async () => {
    const sealed = await new SecretBox(fixedKey(1)).seal('secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other!').toString('base64url');
    await assert.rejects(new SecretBox(fixedKey(1)).open(parts.join('.')), /cannot be decrypted/);
    await assert.rejects(new SecretBox(fixedKey(2)).open(sealed), /cannot be decrypted/);
  });

  it('makes the key file once, mode 0600, and reads the same key after', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-key-'));
    try {
      const file = path.join(dir, 'nested', 'master.key');
      const [a, b] = await Promise.all([new FileMasterKey(file).read(), new FileMasterKey(file).read()]);
      assert.deepEqual(a, b);
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
      const sealed = await new SecretBox(new FileMasterKey(file)).seal('x');
      assert.equal(await new SecretBox(new FileMasterKey(file)).open(sealed), 'x');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
