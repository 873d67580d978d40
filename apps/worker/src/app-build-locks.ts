import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BuildEntity } from '@berth/db';

export type ReleaseLock = () => Promise<void>;

/**
 * Builds of one app run one at a time, across every worker: a Postgres session advisory lock
 * per app, held on its own connection for the length of the build.
 */
@Injectable()
export class AppBuildLocks {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The release function when the app's lock was free; null when another build of the app holds it. */
  async tryLock(buildId: string): Promise<ReleaseLock | null> {
    const build = await this.dataSource.getRepository(BuildEntity).findOneBy({ id: buildId });
    if (!build) return async () => undefined;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = `berth.build:${build.appId}`;
    const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [key]);
    if (!locked) {
      await runner.release();
      return null;
    }
    return async () => {
      await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [key]).catch(() => undefined);
      await runner.release();
    };
  }
}
