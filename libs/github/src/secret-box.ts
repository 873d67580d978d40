import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GithubError, GithubErrorCode } from './github.errors';

/** Where the installation's master secret comes from: a port, so tests and other stores can supply it. */
export interface MasterKeySource {
  /** The master secret's bytes (at least 32), made on first use when the source can. */
  read(): Promise<Buffer>;
}

export const MASTER_KEY_SOURCE = Symbol('MASTER_KEY_SOURCE');

const MASTER_KEY_BYTES = 32;

/**
 * A key file, created on first use with 32 random bytes and mode 0600. The api and the worker
 * may both create it at once: `wx` lets one win and the other reads what it wrote.
 */
export class FileMasterKey implements MasterKeySource {
  private key: Promise<Buffer> | null = null;

  constructor(readonly file: string) {}

  read(): Promise<Buffer> {
    this.key ??= this.load().catch((error) => {
      this.key = null;
      throw error;
    });
    return this.key;
  }

  private async load(): Promise<Buffer> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    try {
      await fs.writeFile(this.file, randomBytes(MASTER_KEY_BYTES).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A reader that races the writer may see an empty file for a moment.
    for (let attempt = 0; ; attempt++) {
      const key = Buffer.from((await fs.readFile(this.file, 'utf8')).trim(), 'base64');
      if (key.length >= MASTER_KEY_BYTES) return key;
      if (attempt >= 20) throw new Error(`the master key file ${this.file} holds fewer than ${MASTER_KEY_BYTES} bytes of base64`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * AES-256-GCM for secrets at rest (webhook secrets, deploy keys, tokens). The key is derived
 * from the master secret with HKDF, per purpose, so the master secret itself encrypts nothing.
 * Ciphertext is `v1.IV.TAG.DATA` in base64url.
 */
export class SecretBox {
  private key: Promise<Buffer> | null = null;

  constructor(
    private readonly master: MasterKeySource,
    private readonly purpose = 'berth/github-secrets',
  ) {}

  async seal(plain: string): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', await this.derivedKey(), iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), data].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  async open(sealed: string): Promise<string> {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || data === undefined) throw new GithubError(GithubErrorCode.SecretUnreadable, 'a stored secret is not in a format this Berth reads');
    try {
      const decipher = createDecipheriv('aes-256-gcm', await this.derivedKey(), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new GithubError(GithubErrorCode.SecretUnreadable, 'a stored secret cannot be decrypted: was the master key file replaced?');
    }
  }

  private derivedKey(): Promise<Buffer> {
    this.key ??= this.master.read().then((master) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), this.purpose, 32)));
    return this.key;
  }
}
