import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { HealthMonitor, Reconciler } from '@berth/deployer';

export const HEALTH_CHECK_INTERVAL_MS = 3_000;
export const RECONCILE_INTERVAL_MS = 5_000;
const LOCK = `hashtext('berth.supervisor')`;

/**
 * Runs the health monitor and the reconciler on a timer, in one worker of the installation
 * only: the one holding a Postgres advisory lock on its own connection (it passes to another
 * worker when that connection or process dies). Rounds never overlap.
 */
@Injectable()
export class InstanceSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InstanceSupervisor.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private leader?: QueryRunner;
  private holding = false;
  private asking?: Promise<boolean>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly monitor: HealthMonitor,
    private readonly reconciler: Reconciler,
  ) {}

  onApplicationBootstrap(): void {
    this.every(HEALTH_CHECK_INTERVAL_MS, () => this.monitor.checkAll());
    this.every(RECONCILE_INTERVAL_MS, () => this.reconciler.reconcileAll());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await this.asking?.catch(() => undefined);
    // The connection goes back to the pool, alive: the lock must not go with it.
    if (this.holding) await this.leader?.query(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => undefined);
    this.holding = false;
    await this.leader?.release().catch(() => undefined);
    this.leader = undefined;
  }

  private every(intervalMs: number, round: () => Promise<void>): void {
    const next = () => {
      if (this.stopped) return;
      const timer = setTimeout(async () => {
        this.timers.delete(timer);
        try {
          if (await this.lead()) await round();
        } catch (error) {
          this.logger.error(`supervision round failed: ${(error as Error).message}`);
        }
        next();
      }, intervalMs);
      this.timers.add(timer);
    };
    next();
  }

  /** True while this worker holds the supervisor lock (its session is alive); tries to take it otherwise. */
  lead(): Promise<boolean> {
    // Both loops ask; one question at a time on the one connection.
    this.asking ??= this.tryLead().finally(() => (this.asking = undefined));
    return this.asking;
  }

  private async tryLead(): Promise<boolean> {
    try {
      if (this.holding) {
        await this.leader!.query('SELECT 1');
        return true;
      }
      if (!this.leader) {
        this.leader = this.dataSource.createQueryRunner();
        await this.leader.connect();
      }
      const [row] = (await this.leader.query(`SELECT pg_try_advisory_lock(${LOCK}) AS locked`)) as Array<{ locked: boolean }>;
      this.holding = row.locked;
      return this.holding;
    } catch {
      // The session is gone, and with it the lock: start over with a new connection next round.
      await this.leader?.release().catch(() => undefined);
      this.leader = undefined;
      this.holding = false;
      return false;
    }
  }
}
