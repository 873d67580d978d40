import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Seals secrets (private keys) before they go to the database; the key never does. */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export const SECRET_BOX = Symbol('SECRET_BOX');

const VERSION = 'v1';

/** AES-256-GCM: `v1.IV.TAG.CIPHERTEXT`, base64 parts; a wrong key or edited text fails to open. */
export class AesGcmSecretBox implements SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the certificate key must be 32 bytes');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !body) throw new Error('not a sealed secret of this Berth');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}

export function certificateKeyPath(dataDir: string): string {
  return path.join(dataDir, 'secrets', 'certificates.key');
}

/**
 * The key file under the data dir, created (0600) by whichever process needs it first. It is
 * written whole to a temporary file and then linked into place, which fails if another
 * process got there first: two processes starting together agree on one complete key.
 */
export async function loadOrCreateKey(file: string): Promise<Buffer> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(temporary, randomBytes(32), { mode: 0o600 });
  try {
    await fs.link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
  const key = await fs.readFile(file);
  if (key.length !== 32) throw new Error(`${file} must hold exactly 32 bytes (it has ${key.length})`);
  return key;
}
