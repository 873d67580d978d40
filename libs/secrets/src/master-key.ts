import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BerthConfig } from '@berth/config';
import { SecretsError, SecretsErrorCode } from './secrets.errors';

/** Where the installation's master secret comes from: a port, so tests and other stores can supply it. */
export interface MasterKeySource {
  /** The master secret's bytes (at least 32), made on first use when the source can. */
  read(): Promise<Buffer>;
}

export const MASTER_KEY_SOURCE = Symbol('MASTER_KEY_SOURCE');

export const MASTER_KEY_BYTES = 32;

/** The master key file: BERTH_MASTER_KEY_FILE, else `master.key` in the data directory. */
export function masterKeyFileOf(config: Pick<BerthConfig, 'dataDir' | 'masterKeyFile'>): string {
  return config.masterKeyFile ?? path.join(config.dataDir, 'master.key');
}

/**
 * A key file holding 32 random bytes in base64, created on first use with mode 0600. The api,
 * the worker and the router may all create it at once: each writes a whole key to its own
 * temporary file and links it into place, and link fails if the name exists, so one wins and
 * every process reads the same complete key (never a half-written file).
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
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    if (!(await exists(this.file))) await this.create();
    const key = Buffer.from((await fs.readFile(this.file, 'utf8')).trim(), 'base64');
    if (key.length < MASTER_KEY_BYTES) {
      throw new SecretsError(SecretsErrorCode.MasterKeyInvalid, `the master key file ${this.file} holds fewer than ${MASTER_KEY_BYTES} bytes of base64`);
    }
    return key;
  }

  private async create(): Promise<void> {
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await fs.writeFile(temporary, randomBytes(MASTER_KEY_BYTES).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
    try {
      await fs.link(temporary, this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await fs.rm(temporary, { force: true });
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
