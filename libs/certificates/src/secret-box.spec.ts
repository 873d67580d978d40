import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AesGcmSecretBox, loadOrCreateKey } from './secret-box';

describe('AesGcmSecretBox', () => {
  const box = new AesGcmSecretBox(randomBytes(32));
  const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----\n';

  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = box.seal(pem);
    assert.ok(!sealed.includes('MIGHAgEAMBMG'));
    assert.notEqual(box.seal(pem), sealed, 'a fresh IV each time');
    assert.equal(box.open(sealed), pem);
  });

  it('refuses an edited text and another key', () => {
    const sealed = box.seal(pem);
    const parts = sealed.split('.');
    parts[3] = Buffer.from(Buffer.from(parts[3], 'base64').map((byte, i) => (i === 0 ? byte ^ 1 : byte))).toString('base64');
    assert.throws(() => box.open(parts.join('.')));
    assert.throws(() => new AesGcmSecretBox(randomBytes(32)).open(sealed));
  });
});

describe('loadOrCreateKey', () => {
  it('creates one 32-byte key (0600) that concurrent callers share', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-key-'));
    try {
      const file = path.join(dir, 'secrets', 'certificates.key');
      const [a, b] = await Promise.all([loadOrCreateKey(file), loadOrCreateKey(file)]);
      assert.equal(a.length, 32);
      assert.deepEqual(a, b);
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
