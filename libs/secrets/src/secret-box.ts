import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { MasterKeySource } from './master-key';
import { SecretsError, SecretsErrorCode } from './secrets.errors';

const VERSION = 'v1';
const IV_BYTES = 12;
const KEY_BYTES = 32;

/**
 * AES-256-GCM for secrets at rest (webhook secrets, deploy keys, tokens, TLS private keys).
 * The key is derived from the master secret with HKDF, per purpose, so the master secret
 * itself encrypts nothing and one purpose's ciphertext never opens under another's.
 * Ciphertext is `v1.IV.TAG.DATA` in base64url.
 */
export class SecretBox {
  private key: Promise<Buffer> | null = null;

  constructor(
    private readonly master: MasterKeySource,
    readonly purpose: string,
  ) {
    if (!purpose) throw new Error('a secret box needs a purpose');
  }

  async seal(plain: string): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', await this.derivedKey(), iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, ...[iv, cipher.getAuthTag(), data].map((part) => part.toString('base64url'))].join('.');
  }

  async open(sealed: string): Promise<string> {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || data === undefined) throw new SecretsError(SecretsErrorCode.SecretUnreadable, 'a stored secret is not in a format this Berth reads');
    const key = await this.derivedKey();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretsError(SecretsErrorCode.SecretUnreadable, 'a stored secret cannot be decrypted: was the master key file replaced?');
    }
  }

  private derivedKey(): Promise<Buffer> {
    // A failed read (say, a full disk) is retried on the next call rather than remembered.
    this.key ??= this.master.read().then(
      (master) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), this.purpose, KEY_BYTES)),
      (error: unknown) => {
        this.key = null;
        throw error;
      },
    );
    return this.key;
  }
}
