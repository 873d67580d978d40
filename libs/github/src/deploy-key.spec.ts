import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateDeployKey } from './deploy-key';

const hasSshKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status !== undefined;
  }
})();

describe('deploy keys', () => {
  it('are ed25519 OpenSSH public keys with the comment', () => {
    const key = generateDeployKey('berth:myapp');
    assert.match(key.publicKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=* berth:myapp$/);
    assert.match(key.privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----\n$/);
  });

  it('ssh-keygen reads the private key and derives the same public key', { skip: !hasSshKeygen && 'ssh-keygen is not installed' }, () => {
    const key = generateDeployKey('berth:myapp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-deploy-key-'));
    try {
      const file = path.join(dir, 'id');
      fs.writeFileSync(file, key.privateKey, { mode: 0o600 });
      const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
      assert.equal(derived.split(' ').slice(0, 2).join(' '), key.publicKey.split(' ').slice(0, 2).join(' '));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
