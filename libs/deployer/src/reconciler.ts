import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { APP_EVENTS, AppEventSink } from '@berth/app-logs';
import { AppEntity, InstanceEntity, InstanceStatus, ReleaseEntity, ReleaseStatus } from '@berth/db';
import { ReleasesService } from '@berth/releases';
import { CONTAINER_RUNTIME, ContainerRuntime } from '@berth/runtime';
import { tryAppLock } from './app-lock';
import { desiredFormation } from './formation';
import { InstanceLauncher } from './instance-launcher';
import { InstanceRetirement } from './instance-retirement';
import { planReconcile } from './reconcile-plan';
import { RELEASE_IMAGES, ReleaseImages } from './release-images';
import { RepeatedErrors } from './repeated-errors';

const RETRY_BASE_MS = 15_000;
const RETRY_MAX_MS = 10 * 60_000;
const WATCHED = [InstanceStatus.Starting, InstanceStatus.Running, InstanceStatus.Draining, InstanceStatus.Unhealthy];

/**
 * Brings each app no deploy is working on back to its current release's formation: finishes
 * what a stopped worker left (deploying releases, starting and draining instances), removes
 * stray containers, and replaces crashed and unhealthy instances (new ones healthy first, then
 * the swap drains and stops the old).
 */
@Injectable()
export class Reconciler {
  private readonly logger = new Logger(Reconciler.name);
  private readonly errors = new RepeatedErrors(this.logger);
  /** Apps whose replacements failed: no new attempt before `until` (doubling, capped). */
  private readonly backoff = new Map<string, { failures: number; until: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly releases: ReleasesService,
    private readonly launcher: InstanceLauncher,
    private readonly retirement: InstanceRetirement,
    @Inject(CONTAINER_RUNTIME) private readonly runtime: ContainerRuntime,
    @Inject(RELEASE_IMAGES) private readonly images: ReleaseImages,
    @Inject(APP_EVENTS) private readonly events: AppEventSink,
  ) {}

  async reconcileAll(): Promise<void> {
    for (const app of await this.dataSource.getRepository(AppEntity).find()) {
      await tryAppLock(this.dataSource, app.id, () => this.reconcile(app)).then(
        () => this.errors.clear(app.id),
        (error: Error) => this.errors.report(app.id, `reconciling ${app.name} failed: ${error.message}`),
      );
    }
  }

  /** Call only under the app's lock. */
  async reconcile(app: AppEntity): Promise<void> {
    await this.settleInterruptedDeploys(app);
    const release = await this.releases.current(app.id);
    const instances = await this.dataSource.getRepository(InstanceEntity).find({ where: { appId: app.id, status: In(WATCHED) }, order: { createdAt: 'ASC' } });
    const plan = planReconcile({
      desired: release ? desiredFormation(app.formation, release.processTypes) : {},
      currentReleaseId: release?.id ?? null,
      instances,
      containers: await this.runtime.listAppContainers(app.name),
    });
    const byId = (ids: string[]) => instances.filter((instance) => ids.includes(instance.id));
    if (plan.abandoned.length) await this.retirement.stop(byId(plan.abandoned), 0);
    for (const container of plan.strays) {
      this.logger.warn(`${app.name}: removing container ${container.slice(0, 12)}, which no instance owns`);
      await this.runtime.removeContainer(container);
    }
    const missing = Object.keys(plan.missing).length > 0;
    const waiting = (this.backoff.get(app.id)?.until ?? 0) > Date.now();
    const started = release && missing && !waiting ? await this.startMissing(app, release, plan.missing) : [];
    // Draining ones always go; unhealthy and outdated ones only once the formation is complete without them.
    const complete = !missing || (started !== null && started.length > 0);
    const retire = byId(plan.retire).filter((instance) => complete || instance.status === InstanceStatus.Draining);
    if (!started?.length && retire.length === 0) return;
    await this.retirement.swap(app.name, started ?? [], retire);
  }

  /** Answers the new instances' ids, or null when they did not become healthy (stopped again). */
  private async startMissing(app: AppEntity, release: ReleaseEntity, missing: Record<string, number>): Promise<string[] | null> {
    const image = this.images.reference(app.name, release.version);
    await this.runtime.pullImage(image, this.images.credentials()).catch(() => undefined);
    const launched = await this.launcher.launch(app, release, image, missing);
    const log = (line: string) => this.logger.log(`${app.name}: ${line.trim()}`);
    try {
      await this.launcher.waitHealthy(launched, log);
      // Deleting an app does not wait for this lock: what was started for a deleted app goes again.
      if (!(await this.dataSource.getRepository(AppEntity).existsBy({ id: app.id }))) throw new Error(`${app.name} was deleted meanwhile`);
    } catch (error) {
      await this.retirement.stop(launched.map((instance) => instance.entity), 0);
      const failures = (this.backoff.get(app.id)?.failures ?? 0) + 1;
      this.backoff.set(app.id, { failures, until: Date.now() + Math.min(RETRY_BASE_MS * 2 ** (failures - 1), RETRY_MAX_MS) });
      await this.events.emit({ app: app.name, level: 'error', message: `a replacement instance of v${release.version} did not become healthy: ${(error as Error).message}` });
      return null;
    }
    this.backoff.delete(app.id);
    const what = Object.entries(missing).map(([process, count]) => `${count} ${process}`).join(', ');
    await this.events.emit({ app: app.name, level: 'info', message: `started ${what} instance(s) of v${release.version} to match the formation` });
    return launched.map((instance) => instance.entity.id);
  }

  /** A release left deploying by a stopped worker: live if it took the traffic, else failed. */
  private async settleInterruptedDeploys(app: AppEntity): Promise<void> {
    const interrupted = await this.dataSource.getRepository(ReleaseEntity).find({ where: { appId: app.id, status: ReleaseStatus.Deploying } });
    for (const release of interrupted) {
      const serving = await this.dataSource.getRepository(InstanceEntity).countBy({ releaseId: release.id, status: InstanceStatus.Running });
      await this.releases.markStatus(release.id, serving ? ReleaseStatus.Deployed : ReleaseStatus.Failed, serving ? null : 'the worker stopped during the deploy');
      this.logger.warn(`${app.name}: v${release.version} was left deploying; it is now ${serving ? 'deployed' : 'failed'}`);
    }
  }
}
