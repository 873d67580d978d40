import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_EVENTS, AppEventSink } from '@berth/app-logs';
import { InstanceEntity, InstanceStatus } from '@berth/db';
import { CONTAINER_RUNTIME, ContainerRuntime, ContainerState } from '@berth/runtime';
import { HEALTH_PROBE, HealthProbe, RouterControl, ROUTER_CONTROL } from './deployer.ports';
import { WEB_PROCESS } from './formation';
import { RepeatedErrors } from './repeated-errors';

/** Consecutive failed checks after which an instance leaves the rotation. */
export const FAILURES_TO_EJECT = 3;

interface Watched {
  id: string;
  status: InstanceStatus;
  app: string;
  process: string;
  containerId: string;
  port: number;
}

/**
 * Active health checks of running instances, one round per call: a dead container is a
 * crash (logged with its exit code, OOM named), a web instance failing its check
 * FAILURES_TO_EJECT times in a row becomes unhealthy. Either way it leaves the rotation at
 * once (the routers reload); the reconciler replaces it, unless an unhealthy one passes as
 * many checks in a row first: then it rejoins.
 */
@Injectable()
export class HealthMonitor {
  private readonly logger = new Logger(HealthMonitor.name);
  private readonly failures = new Map<string, number>();
  /** Consecutive passed checks of unhealthy instances: as many as ejected one bring it back. */
  private readonly passes = new Map<string, number>();
  private readonly startedAt = new Map<string, string>();
  private readonly errors = new RepeatedErrors(this.logger);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONTAINER_RUNTIME) private readonly runtime: ContainerRuntime,
    @Inject(HEALTH_PROBE) private readonly probe: HealthProbe,
    @Inject(ROUTER_CONTROL) private readonly router: RouterControl,
    @Inject(APP_EVENTS) private readonly events: AppEventSink,
  ) {}

  async checkAll(): Promise<void> {
    const watched: Watched[] = await this.dataSource.query(
      `SELECT i.id, i.status, a.name AS app, i.process_type AS process, i.container_id AS "containerId", i.port
         FROM instances i JOIN apps a ON a.id = i.app_id
        WHERE i.status IN ($1, $2) AND i.container_id IS NOT NULL`,
      [InstanceStatus.Running, InstanceStatus.Unhealthy],
    );
    const ids = new Set(watched.map((instance) => instance.id));
    for (const map of [this.failures, this.passes, this.startedAt]) for (const id of map.keys()) if (!ids.has(id)) map.delete(id);
    await Promise.all(
      watched.map((instance) =>
        this.check(instance).then(
          () => this.errors.clear(instance.id),
          (error: Error) => this.errors.report(instance.id, `checking ${instance.app} ${describe(instance)} failed: ${error.message}`),
        ),
      ),
    );
  }

  private async check(instance: Watched): Promise<void> {
    const state = await this.runtime.inspectContainer(instance.containerId);
    if (!state || !state.running) return this.crashed(instance, state);
    this.noticeRestart(instance, state);
    if (instance.process !== WEB_PROCESS && state.health === undefined) return;
    const verdict = await this.probe.checkOnce({ containerId: instance.containerId, port: instance.port, process: instance.process, usesImageHealthcheck: state.health !== undefined });
    if (instance.status === InstanceStatus.Unhealthy) return this.checkRecovery(instance, verdict === true);
    if (verdict === true) {
      this.failures.delete(instance.id);
      return;
    }
    const failures = (this.failures.get(instance.id) ?? 0) + 1;
    this.failures.set(instance.id, failures);
    if (failures < FAILURES_TO_EJECT) return;
    if (!(await this.move(instance, InstanceStatus.Unhealthy, []))) return;
    await this.report(instance, 'warn', `failed ${failures} health checks in a row (${verdict}); it leaves the rotation and is replaced`);
  }

  /** An unhealthy instance not yet replaced that passes again rejoins the rotation. */
  private async checkRecovery(instance: Watched, passed: boolean): Promise<void> {
    const passes = passed ? (this.passes.get(instance.id) ?? 0) + 1 : 0;
    this.passes.set(instance.id, passes);
    if (passes < FAILURES_TO_EJECT || !(await this.move(instance, InstanceStatus.Running, []))) return;
    await this.report(instance, 'info', `passed ${passes} health checks in a row; it rejoins the rotation`);
  }

  private async crashed(instance: Watched, state: ContainerState | null): Promise<void> {
    // Its port goes at once: nothing listens there any more, so there is nothing to wait for.
    if (!(await this.move(instance, InstanceStatus.Crashed, [instance.port]))) return;
    await this.report(instance, 'error', `crashed: ${crashCause(state)}`);
    // Docker's restart policy must not bring it back next to its replacement.
    await this.runtime.removeContainer(instance.containerId);
  }

  /** Docker's restart policy restarted the process between two rounds: say so. */
  private noticeRestart(instance: Watched, state: ContainerState): void {
    const before = this.startedAt.get(instance.id);
    if (state.startedAt) this.startedAt.set(instance.id, state.startedAt);
    if (before && state.startedAt && before !== state.startedAt) void this.report(instance, 'error', 'exited and was restarted by Docker');
  }

  /** Only from the status this round saw (a deploy may be retiring it meanwhile); the routers reload at once. */
  private async move(instance: Watched, status: InstanceStatus, drainPorts: number[]): Promise<boolean> {
    const result = await this.dataSource.getRepository(InstanceEntity).update({ id: instance.id, status: instance.status }, { status });
    if (!result.affected) return false;
    this.failures.delete(instance.id);
    this.passes.delete(instance.id);
    await this.router.switchAndDrain(instance.app, drainPorts);
    return true;
  }

  private async report(instance: Watched, level: 'info' | 'warn' | 'error', what: string): Promise<void> {
    const message = `${describe(instance)} ${what}`;
    if (level === 'error') this.logger.error(`${instance.app}: ${message}`);
    else if (level === 'warn') this.logger.warn(`${instance.app}: ${message}`);
    else this.logger.log(`${instance.app}: ${message}`);
    await this.events.emit({ app: instance.app, message, level, process: instance.process, instance: instance.id });
  }
}

export function crashCause(state: Pick<ContainerState, 'exitCode' | 'oomKilled'> | null): string {
  if (!state) return 'its container is gone';
  if (state.oomKilled) return `killed for using too much memory (OOM), exit code ${state.exitCode ?? 'unknown'}`;
  return `exited with code ${state.exitCode ?? 'unknown'}`;
}

function describe(instance: Watched): string {
  return `${instance.process}.${instance.id.slice(0, 8)} on port ${instance.port}`;
}
