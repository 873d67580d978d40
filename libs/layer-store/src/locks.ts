import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { isNodeError, LayerStoreError, LayerStoreErrorCode } from './errors';

const EMPTY_LOCK_STALE_MS = 10_000;

/** Tells whether a pid still runs; a seam so tests can fake dead holders. */
export interface ProcessProbe {
  isAlive(pid: number): boolean;
}

export const systemProcessProbe: ProcessProbe = {
  isAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it exists but belongs to someone else, which still means alive.
      return isNodeError(error, 'EPERM');
    }
  },
};

/** Serialises async critical sections within one process. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section, section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export interface FileLockOptions {
  timeoutMs?: number;
  probe?: ProcessProbe;
}

/**
 * In-process mutex plus an O_EXCL lock file for other processes. A lock file left by a dead
 * process is taken over; two processes that find the same stale file at the same instant can
 * race, which only matters after a crash and is accepted here.
 */
export class FileLock {
  private readonly mutex = new Mutex();
  private readonly timeoutMs: number;
  private readonly probe: ProcessProbe;

  constructor(
    private readonly path: string,
    options: FileLockOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.probe = options.probe ?? systemProcessProbe;
  }

  withLock<T>(section: () => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      const token = await this.acquire();
      try {
        return await section();
      } finally {
        await this.release(token);
      }
    });
  }

  private async acquire(): Promise<string> {
    const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (await this.tryCreate(token)) return token;
      const holder = await this.holderPid();
      if (holder === null ? await this.isAbandonedEmpty() : !this.probe.isAlive(holder)) {
        await fs.rm(this.path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw this.timeoutError(holder);
      await sleep(Math.min(2 + attempt * 2, 50));
    }
  }

  private async tryCreate(token: string): Promise<boolean> {
    try {
      await fs.writeFile(this.path, token, { flag: 'wx' });
      return true;
    } catch (error) {
      if (isNodeError(error, 'EEXIST')) return false;
      throw error;
    }
  }

  private async holderPid(): Promise<number | null> {
    const content = await fs.readFile(this.path, 'utf8').catch(() => null);
    const pid = content === null ? NaN : Number.parseInt(content.split(' ')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }

  /** A holder writes its pid right after creating the file; an empty file this old lost its writer. */
  private async isAbandonedEmpty(): Promise<boolean> {
    const stats = await fs.stat(this.path).catch(() => null);
    return stats !== null && stats.size === 0 && Date.now() - stats.mtimeMs > EMPTY_LOCK_STALE_MS;
  }

  private async release(token: string): Promise<void> {
    const content = await fs.readFile(this.path, 'utf8').catch(() => null);
    if (content === token) await fs.rm(this.path, { force: true });
  }

  private timeoutError(holder: number | null): LayerStoreError {
    return new LayerStoreError(
      LayerStoreErrorCode.LockTimeout,
      `timed out after ${this.timeoutMs} ms waiting for ${this.path} held by pid ${holder ?? 'unknown'}; ` +
        'wait for that process to finish, or remove the file if no Berth process is running',
      { path: this.path, holder },
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
