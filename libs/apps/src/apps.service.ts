import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppEntity, InstanceEntity, InstanceStatus, isUniqueViolation, ReleaseEntity, ReleaseStatus } from '@berth/db';
import { withAppLock } from '@berth/deployer';
import { GIT_REPOSITORIES, GitRepositories } from '@berth/git';
import { CONTAINER_RUNTIME, ContainerRuntime } from '@berth/runtime';
import { appNameProblem } from './app-name';
import { AppsError, AppsErrorCode } from './apps.errors';

export interface AppDetails {
  app: AppEntity;
  release: ReleaseEntity | null;
  instances: InstanceEntity[];
}

/** What `PATCH /api/apps/NAME` may change. */
export interface AppSettings {
  /** Plain HTTP requests get a 308 to HTTPS (for hosts with a certificate). */
  httpsRedirect?: boolean;
  /** Request body limit at the router; null goes back to the router's default. */
  maxBodyBytes?: number | null;
}

const LIVE_INSTANCE_STATUSES = [InstanceStatus.Starting, InstanceStatus.Running, InstanceStatus.Draining, InstanceStatus.Unhealthy];

@Injectable()
export class AppsService {
  constructor(
    @InjectRepository(AppEntity) private readonly apps: Repository<AppEntity>,
    @InjectRepository(ReleaseEntity) private readonly releases: Repository<ReleaseEntity>,
    @InjectRepository(InstanceEntity) private readonly instances: Repository<InstanceEntity>,
    @Inject(CONTAINER_RUNTIME) private readonly runtime: ContainerRuntime,
    @Inject(GIT_REPOSITORIES) private readonly repositories: GitRepositories,
  ) {}

  async create(name: string, createdBy: string | null): Promise<AppEntity> {
    assertValidName(name);
    let app: AppEntity;
    try {
      app = await this.apps.save(this.apps.create({ name, createdBy }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppsError(AppsErrorCode.AlreadyExists, `an app named "${name}" already exists`);
      throw error;
    }
    try {
      await this.repositories.create(app.name, app.deployBranch);
    } catch (error) {
      await this.apps.delete({ id: app.id });
      throw error;
    }
    return app;
  }

  list(): Promise<AppEntity[]> {
    return this.apps.find({ order: { name: 'ASC' } });
  }

  async get(name: string): Promise<AppEntity> {
    const app = await this.apps.findOneBy({ name });
    if (!app) throw new AppsError(AppsErrorCode.NotFound, `no app named "${name}"`);
    return app;
  }

  /** Per-app settings that need no new release (the router reads them from the database). */
  /** Changes an app's settings; a key left out keeps its value. */
  async updateSettings(name: string, settings: AppSettings): Promise<AppEntity> {
    const app = await this.get(name);
    if (settings.httpsRedirect !== undefined) app.httpsRedirect = settings.httpsRedirect;
    if (settings.maxBodyBytes !== undefined) app.maxBodyBytes = settings.maxBodyBytes;
    return this.apps.save(app);
  }

  async details(name: string): Promise<AppDetails> {
    const app = await this.get(name);
    const [release, instances] = await Promise.all([
      this.releases.findOne({ where: { appId: app.id, status: ReleaseStatus.Deployed }, order: { version: 'DESC' } }),
      this.instances.find({ where: LIVE_INSTANCE_STATUSES.map((status) => ({ appId: app.id, status })), order: { createdAt: 'ASC' } }),
    ]);
    return { app, release, instances };
  }

  /**
   * Stops the app's containers first, so a failure there leaves the app and its data intact;
   * under the app's deploy lock, so no deploy, scale or reconcile starts one meanwhile, and
   * with its instances recorded stopped first, so the health monitor sees no crash.
   */
  async delete(name: string): Promise<void> {
    const app = await this.get(name);
    await withAppLock(this.apps.manager.connection, app.id, async () => {
      const live = await this.instances.find({ where: LIVE_INSTANCE_STATUSES.map((status) => ({ appId: app.id, status })) });
      if (live.length) await this.instances.update(live.map((instance) => instance.id), { status: InstanceStatus.Stopped });
      try {
        await this.runtime.removeAppContainers(app.name);
      } catch (error) {
        for (const instance of live) await this.instances.update(instance.id, { status: instance.status });
        throw error;
      }
      await this.apps.delete({ id: app.id });
    });
    await this.repositories.remove(app.name);
  }
}

function assertValidName(name: string): void {
  const problem = appNameProblem(name);
  if (problem === 'invalid') {
    throw new AppsError(
      AppsErrorCode.InvalidName,
      `"${name}" is not a valid app name: use 1-63 lower-case letters, digits or "-", not starting or ending with "-"`,
    );
  }
  if (problem === 'reserved') throw new AppsError(AppsErrorCode.ReservedName, `"${name}" is reserved by Berth; pick another name`);
}
