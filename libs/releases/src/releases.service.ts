import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConfigVarEntity, ReleaseEntity, ReleaseStatus } from '@berth/db';
import { ReleasesError, ReleasesErrorCode } from './releases.errors';

export interface ReleaseContent {
  imageDigest: string | null;
  processTypes: Record<string, string>;
  buildId?: string | null;
  description: string;
  createdBy: string | null;
}

/**
 * Releases v1, v2, ...: an image, a config snapshot and process types. A release is made
 * before its deploy; the app serves its newest deployed release, so a failed deploy leaves
 * the previous one current.
 */
@Injectable()
export class ReleasesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A new release of the app with its config vars as they are now. */
  async create(appId: string, content: ReleaseContent): Promise<ReleaseEntity> {
    return this.dataSource.transaction(async (manager) => {
      const config = await configSnapshot(manager, appId);
      return this.insert(manager, appId, { ...content, config });
    });
  }

  /** A config change: the current image and process types with the new config. */
  async createForConfigChange(appId: string, description: string, createdBy: string | null): Promise<ReleaseEntity> {
    const current = await this.current(appId);
    return this.create(appId, {
      imageDigest: current?.imageDigest ?? null,
      processTypes: current?.processTypes ?? {},
      buildId: current?.buildId ?? null,
      description,
      createdBy,
    });
  }

  /** Rollback makes a new release from an older one: its image, config and process types. */
  async rollback(appId: string, version: number, createdBy: string | null): Promise<ReleaseEntity> {
    return this.dataSource.transaction(async (manager) => {
      const target = await manager.findOneBy(ReleaseEntity, { appId, version });
      if (!target) throw new ReleasesError(ReleasesErrorCode.ReleaseNotFound, `the app has no release v${version}`);
      if (!target.imageDigest) throw new ReleasesError(ReleasesErrorCode.NothingToRelease, `release v${version} has no image to roll back to`);
      return this.insert(manager, appId, {
        imageDigest: target.imageDigest,
        processTypes: target.processTypes,
        buildId: target.buildId,
        config: target.config,
        description: `Rollback to v${version}`,
        createdBy,
      });
    });
  }

  current(appId: string): Promise<ReleaseEntity | null> {
    return this.dataSource.getRepository(ReleaseEntity).findOne({ where: { appId, status: ReleaseStatus.Deployed }, order: { version: 'DESC' } });
  }

  list(appId: string): Promise<ReleaseEntity[]> {
    return this.dataSource.getRepository(ReleaseEntity).find({ where: { appId }, order: { version: 'DESC' } });
  }

  countForBuild(buildId: string): Promise<number> {
    return this.dataSource.getRepository(ReleaseEntity).countBy({ buildId });
  }

  get(id: string): Promise<ReleaseEntity | null> {
    return this.dataSource.getRepository(ReleaseEntity).findOneBy({ id });
  }

  async markStatus(id: string, status: ReleaseStatus, error: string | null = null): Promise<void> {
    await this.dataSource.getRepository(ReleaseEntity).update(
      { id },
      { status, error, ...(status === ReleaseStatus.Deployed ? { deployedAt: new Date() } : {}) },
    );
  }

  private async insert(manager: EntityManager, appId: string, content: ReleaseContent & { config: Record<string, string> }): Promise<ReleaseEntity> {
    // One version sequence per app: concurrent releases of one app take turns.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('berth.release:' || $1))`, [appId]);
    const [{ next }] = await manager.query(`SELECT COALESCE(MAX(version), 0) + 1 AS next FROM releases WHERE app_id = $1`, [appId]);
    const repository = manager.getRepository(ReleaseEntity);
    return repository.save(
      repository.create({
        appId,
        version: Number(next),
        imageDigest: content.imageDigest,
        processTypes: content.processTypes,
        buildId: content.buildId ?? null,
        config: content.config,
        description: content.description,
        createdBy: content.createdBy,
        status: ReleaseStatus.Pending,
      }),
    );
  }
}

async function configSnapshot(manager: EntityManager, appId: string): Promise<Record<string, string>> {
  const vars = await manager.find(ConfigVarEntity, { where: { appId }, order: { key: 'ASC' } });
  return Object.fromEntries(vars.map((entry) => [entry.key, entry.value]));
}
