import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FileMasterKey } from './master-key';
import { SecretBox } from './secret-box';
import { SecretsErrorCode } from './secrets.errors';

const fixedKey = (byte: number) => ({ read: async () => Buffer.alloc(32, byte) });
const unreadable = { code: SecretsErrorCode.SecretUnreadable };

describe('SecretBox', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----\n';

  it('round-trips, with a fresh IV each time and no plain text in the sealed form', async () => {
    const box = new SecretBox(fixedKey(1), 'berth/certificates');
    const a = await box.seal(pem);
    const b = await box.seal(pem);
    assert.notEqual(a, b);
    assert.notEqual(a.split('.')[1], b.split('.')[1]);
    assert.doesNotMatch(a, /MIGHAgEAMBMG/);
    assert.equal(await box.open(a), pem);
  });

  it('refuses tampered ciphertext, another master key and another purpose', async () => {
    const sealed = await new SecretBox(fixedKey(1), 'berth/github-secrets').seal('secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from(Buffer.from(parts[3], 'base64url').map((byte, i) => (i === 0 ? byte ^ 1 : byte))).toString('base64url');
    await assert.rejects(new SecretBox(fixedKey(1), 'berth/github-secrets').open(parts.join('.')), unreadable);
    await assert.rejects(new SecretBox(fixedKey(2), 'berth/github-secrets').open(sealed), unreadable);
    await assert.rejects(new SecretBox(fixedKey(1), 'berth/certificates').open(sealed), unreadable);
    await assert.rejects(new SecretBox(fixedKey(1), 'berth/github-secrets').open('not-sealed'), unreadable);
  });

  it("still opens what the github lib sealed before secrets had their own lib ('berth/github-secrets')", async () => {
    // Sealed by the former libs/github SecretBox over a master key of 32 bytes of 7.
    const sealed = 'v1.AAECAwQFBgcICQoL.enmIm7I10NlMhW57ZkojJA.-BWaNTsC_OFXQ1QA';
    assert.equal(await new SecretBox(fixedKey(7), 'berth/github-secrets').open(sealed), 'ghp_fixture1');
  });
});

describe('FileMasterKey', () => {
  it('is made once, mode 0600, by callers starting together, and read the same after', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-key-'));
    try {
      const file = path.join(dir, 'nested', 'master.key');
      const keys = await Promise.all(Array.from({ length: 8 }, () => new FileMasterKey(file).read()));
      assert.equal(keys[0].length, 32);
      for (const key of keys) assert.deepEqual(key, keys[0]);
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
      assert.deepEqual(await fs.readdir(path.dirname(file)), ['master.key'], 'no temporary file left behind');
      const sealed = await new SecretBox(new FileMasterKey(file), 'p').seal('x');
      assert.equal(await new SecretBox(new FileMasterKey(file), 'p').open(sealed), 'x');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('gives separate processes starting together one key', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-key-'));
    try {
      const file = path.join(dir, 'master.key');
      const script = `const { FileMasterKey } = require(${JSON.stringify(require.resolve('./master-key'))});
        new FileMasterKey(process.argv[1]).read().then((key) => process.stdout.write(key.toString('hex')));`;
      const outputs = await Promise.all(Array.from({ length: 4 }, () => promisify(execFile)(process.execPath, ['-e', script, file])));
      const keys = new Set(outputs.map((output) => output.stdout));
      assert.equal(keys.size, 1);
      assert.equal([...keys][0], (await new FileMasterKey(file).read()).toString('hex'));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a key file too short to be a key', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-key-'));
    try {
      const file = path.join(dir, 'master.key');
      await fs.writeFile(file, Buffer.alloc(8).toString('base64'));
      await assert.rejects(new FileMasterKey(file).read(), { code: SecretsErrorCode.MasterKeyInvalid });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
