import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, Not } from 'typeorm';
import { APP_EVENTS, AppEventSink } from '@berth/app-logs';
import { AppEntity, InstanceEntity, InstanceStatus, ReleaseEntity, ReleaseStatus } from '@berth/db';
import { ReleasesService } from '@berth/releases';
import { CONTAINER_RUNTIME, ContainerRuntime } from '@berth/runtime';
import { withAppLock } from './app-lock';
import { DeployerError, DeployerErrorCode } from './deployer.errors';
import { desiredFormation, RELEASE_PROCESS } from './formation';
import { InstanceLauncher, LaunchedInstance } from './instance-launcher';
import { InstanceRetirement } from './instance-retirement';
import { RELEASE_IMAGES, ReleaseImages } from './release-images';

export type DeployLog = (line: string) => void;

const LIVE = [InstanceStatus.Starting, InstanceStatus.Running, InstanceStatus.Draining, InstanceStatus.Unhealthy];

/**
 * Deploys a release in kamal-proxy's order: pull, run the release command, start the new
 * instances, wait until they are healthy, switch the router to them, drain and stop the old
 * ones. Any failure before the switch stops the new instances and leaves the old serving.
 */
@Injectable()
export class Deployer {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly releases: ReleasesService,
    private readonly launcher: InstanceLauncher,
    @Inject(CONTAINER_RUNTIME) private readonly runtime: ContainerRuntime,
    private readonly retirement: InstanceRetirement,
    @Inject(RELEASE_IMAGES) private readonly images: ReleaseImages,
    @Inject(APP_EVENTS) private readonly events: AppEventSink,
  ) {}

  async deploy(releaseId: string, log: DeployLog): Promise<void> {
    const release = await this.dataSource.getRepository(ReleaseEntity).findOneByOrFail({ id: releaseId });
    const app = await this.dataSource.getRepository(AppEntity).findOneByOrFail({ id: release.appId });
    await withAppLock(this.dataSource, app.id, async () => {
      await this.releases.markStatus(release.id, ReleaseStatus.Deploying);
      // The log is written before the status changes: whoever follows the log stops at the status.
      try {
        await this.rollOut(app, release, log);
        log(`-----> v${release.version} is live`);
        await this.events.emit({ app: app.name, message: `release v${release.version} deployed`, release: { id: release.id, version: release.version } });
        await this.releases.markStatus(release.id, ReleaseStatus.Deployed);
      } catch (error) {
        const message = (error as Error).message;
        const current = await this.releases.current(app.id);
        log(`-----> Deploy of v${release.version} failed: ${message}`);
        await this.events.emit({ app: app.name, level: 'error', message: `deploy of release v${release.version} failed: ${message}`, release: { id: release.id, version: release.version } });
        log(current ? `       v${current.version} keeps serving` : '       nothing was serving before; nothing changed');
        await this.releases.markStatus(release.id, ReleaseStatus.Failed, message);
        throw error;
      }
    });
  }

  /**
   * Brings the current release's instance counts to the app's formation without a new
   * release: missing instances are started and must be healthy before they get traffic;
   * surplus ones are drained by the routers first, then stopped.
   */
  async scale(appId: string, log: DeployLog): Promise<void> {
    const app = await this.dataSource.getRepository(AppEntity).findOneByOrFail({ id: appId });
    await withAppLock(this.dataSource, app.id, async () => {
      const release = await this.releases.current(app.id);
      if (!release) return log('-----> Nothing is deployed yet; the new scale applies to the next deploy');
      const live = await this.dataSource.getRepository(InstanceEntity).find({ where: { appId: app.id, status: InstanceStatus.Running }, order: { createdAt: 'ASC' } });
      const desired = desiredFormation(app.formation, release.processTypes);
      const missing: Record<string, number> = {};
      const surplus: InstanceEntity[] = [];
      for (const [process, count] of Object.entries(desired)) {
        const running = live.filter((instance) => instance.processType === process);
        if (running.length < count) missing[process] = count - running.length;
        surplus.push(...running.slice(count));
      }
      log(`-----> Scaling ${app.name} to ${describeFormation(desired)}`);
      const started = await this.launcher.launch(app, release, this.images.reference(app.name, release.version), missing);
      try {
        await this.launcher.waitHealthy(started, log);
        await this.reportHealthy(app, release, started);
      } catch (error) {
        await this.retirement.stop(started.map((instance) => instance.entity), 0);
        throw error;
      }
      await this.retire(app, started, surplus, log);
    });
  }

  private async rollOut(app: AppEntity, release: ReleaseEntity, log: DeployLog): Promise<void> {
    if (!release.imageDigest) throw new DeployerError(DeployerErrorCode.NoImage, `release v${release.version} has no image; push code first`);
    await this.images.publish(app.name, release.version, release.imageDigest);
    const image = this.images.reference(app.name, release.version);
    log(`-----> Pulling ${image}`);
    await this.runtime.pullImage(image, this.images.credentials());
    await this.runReleaseCommand(app, release, image, log);
    const formation = desiredFormation(app.formation, release.processTypes);
    log(`-----> Starting ${describeFormation(formation)}`);
    const started = await this.launcher.launch(app, release, image, formation);
    try {
      await this.launcher.waitHealthy(started, log);
      await this.reportHealthy(app, release, started);
    } catch (error) {
      await this.retirement.stop(started.map((instance) => instance.entity), 0);
      throw error;
    }
    await this.switchTo(app, started, log);
  }

  private async runReleaseCommand(app: AppEntity, release: ReleaseEntity, image: string, log: DeployLog): Promise<void> {
    const command = release.processTypes[RELEASE_PROCESS];
    if (!command) return;
    log(`-----> Running release command: ${command}`);
    const result = await this.runtime.runOnce(
      { app: app.name, instanceId: `release-${release.id}`, releaseId: release.id, version: release.version, process: RELEASE_PROCESS, image, command, env: release.config },
      (chunk) => chunk.toString('utf8').split('\n').filter(Boolean).forEach((line) => log(`       ${line}`)),
    );
    if (result.exitCode !== 0) {
      throw new DeployerError(DeployerErrorCode.ReleaseCommandFailed, `the release command exited with code ${result.exitCode}`);
    }
  }

  /** New instances take the traffic, then all older ones are drained by the routers and stopped. */
  private async switchTo(app: AppEntity, started: LaunchedInstance[], log: DeployLog): Promise<void> {
    const newIds = started.map((instance) => instance.entity.id);
    const old = await this.dataSource.getRepository(InstanceEntity).find({ where: { appId: app.id, status: In(LIVE), id: newIds.length ? Not(In(newIds)) : undefined } });
    await this.retire(app, started, old, log);
  }

  private async retire(app: AppEntity, started: LaunchedInstance[], old: InstanceEntity[], log: DeployLog): Promise<void> {
    await this.retirement.swap(app.name, started.map((instance) => instance.entity.id), old, log);
  }

  private async reportHealthy(app: AppEntity, release: ReleaseEntity, started: LaunchedInstance[]): Promise<void> {
    for (const { entity, port } of started) {
      const message = `instance ${entity.id.slice(0, 8)} (${entity.processType}) is healthy on port ${port}`;
      await this.events.emit({ app: app.name, message, release: { id: release.id, version: release.version }, process: entity.processType, instance: entity.id });
    }
  }
}

function describeFormation(formation: Record<string, number>): string {
  return Object.entries(formation).map(([type, count]) => `${type}=${count}`).join(', ');
}
