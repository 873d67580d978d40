import { DataSource } from 'typeorm';

const KEY = `hashtext('berth.deploy:' || $1)`;

/** One deploy (or reconcile) per app at a time, across workers: a session advisory lock on its own connection. */
export async function withAppLock<T>(dataSource: DataSource, appId: string, work: () => Promise<T>): Promise<T> {
  return (await lockAndRun(dataSource, appId, 'pg_advisory_lock', work)) as T;
}

/** Like withAppLock, but answers `undefined` at once when a deploy holds the app: reconcile it next time. */
export function tryAppLock<T>(dataSource: DataSource, appId: string, work: () => Promise<T>): Promise<T | undefined> {
  return lockAndRun(dataSource, appId, 'pg_try_advisory_lock', work);
}

async function lockAndRun<T>(dataSource: DataSource, appId: string, lock: string, work: () => Promise<T>): Promise<T | undefined> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [row] = (await runner.query(`SELECT ${lock}(${KEY}) AS locked`, [appId])) as Array<{ locked: boolean | '' }>;
    if (row.locked === false) return undefined;
    try {
      return await work();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(${KEY})`, [appId]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
