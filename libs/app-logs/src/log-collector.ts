import type { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { ContainerEvent, ContainerRuntime } from '@berth/runtime';
import { AppEventSink } from './app-events.port';
import { CollectorLease } from './collector-lease';
import { ContainerFollower, ContainerOrigin, originOf } from './container-follower';
import { LogPosition } from './log-line';
import { LogStore } from './log-store';
import { LogWriter } from './log-writer';

const LEASE_RETRY_MS = 2_000;
/** Release commands: their output and exit are the deploy's to report. */
const ONE_OFF_LABEL = 'berth.one-off';
/** A `die` this soon after a `kill` is a stop Berth (or an operator) asked for, not a crash. */
const STOP_WINDOW_MS = 60_000;
/** How long a `die` waits for the container's last lines, so the event follows them. */
const DRAIN_WAIT_MS = 2_000;
/** How long a `die` without a `kill` before it waits for a late `kill` or `stop` event. */
const STOP_EVENT_WAIT_MS = 1_000;
/** At shutdown a failing database gets this long; the stored positions make up for the rest. */
const SHUTDOWN_FLUSH_MS = 5_000;

interface Attached {
  follower: ContainerFollower;
  done: Promise<void>;
}

/**
 * Follows the output of every container of this installation into the log store, from the
 * moment each starts; turns Docker's die/oom events into Berth's events in the same log.
 * Only the holder of the lease collects, so several workers never store a line twice.
 */
export class LogCollector {
  private readonly logger = new Logger('LogCollector');
  private readonly attached = new Map<string, Attached>();
  /** Positions of containers whose follower ended, until their lines are surely stored. */
  private readonly lastPositions = new Map<string, LogPosition | null>();
  private readonly killedAt = new Map<string, number>();
  private readonly stopWaiters = new Map<string, () => void>();
  private readonly oomKilled = new Set<string>();
  private events?: Readable;
  private leaseWork?: Promise<void>;
  private readonly reporting = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private active = false;
  private stopping = false;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly store: LogStore,
    private readonly writer: LogWriter,
    private readonly appEvents: AppEventSink,
    private readonly lease: CollectorLease,
  ) {}

  start(): void {
    this.leaseWork = this.tryLease();
  }

  /** Detaches, lets events being reported finish, and stores every line read so far. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.leaseWork;
    await this.detachAll();
    await Promise.all(this.reporting);
    await this.writer.flush(SHUTDOWN_FLUSH_MS);
    if (this.active) await this.lease.release().catch(() => undefined);
    this.active = false;
  }

  /** True while this process holds the lease and collects. */
  get running(): boolean {
    return this.active;
  }

  private async tryLease(): Promise<void> {
    if (this.stopping) return;
    try {
      if (this.active ? await this.lease.renew() : await this.lease.acquire()) {
        if (!this.active) await this.begin();
      } else if (this.active) {
        this.logger.warn('lost the log collector lease; another worker collects now');
        await this.detachAll();
        this.active = false;
      }
    } catch (error) {
      this.logger.error(`log collection: ${(error as Error).message}`);
    }
    const delay = this.active ? this.lease.ttlMs / 3 : LEASE_RETRY_MS;
    if (!this.stopping) {
      this.timer = setTimeout(() => (this.leaseWork = this.tryLease()), delay);
      this.timer.unref();
    }
  }

  /** Events first, then the list: a container starting in between is seen either way. */
  private async begin(): Promise<void> {
    this.active = true;
    // Positions come from the store again: another worker may have collected in between.
    await this.writer.flush();
    this.lastPositions.clear();
    try {
      await this.attachEverything();
    } catch (error) {
      await this.detachAll();
      this.active = false;
      await this.lease.release();
      throw error;
    }
  }

  private async attachEverything(): Promise<void> {
    this.events = await this.runtime.containerEvents();
    this.events.on('data', (event: ContainerEvent) => {
      const handled = this.onEvent(event).catch((error: Error) => this.logger.error(`log collection: ${error.message}`));
      this.reporting.add(handled);
      void handled.finally(() => this.reporting.delete(handled));
    });
    this.events.on('error', (error: Error) => this.logger.error(`Docker events: ${error.message}`));
    this.events.on('close', this.onEventsClosed);
    const containers = await this.runtime.listInstallationContainers();
    for (const container of containers) await this.attach(container.id, container.labels);
    await this.store.forgetPositions(containers.map((container) => container.id));
    this.logger.log(`collecting logs of ${this.attached.size} running or unread containers`);
  }

  private readonly onEventsClosed = () => this.restartEventsIfNeeded();

  private restartEventsIfNeeded(): void {
    if (this.stopping || !this.active) return;
    this.logger.warn('Docker event stream closed; reattaching');
    void this.detachAll().then(() => {
      this.active = false;
      return this.lease.release();
    });
  }

  private async detachAll(): Promise<void> {
    // Only this class's listener: the runtime's own 'close' listener frees the Docker socket.
    this.events?.removeListener('close', this.onEventsClosed);
    this.events?.destroy();
    this.events = undefined;
    const attached = [...this.attached.values()];
    for (const { follower } of attached) follower.stop();
    await Promise.all(attached.map(({ done }) => done));
  }

  private async attach(id: string, labels: Record<string, string>): Promise<void> {
    const origin = originOf(labels);
    if (!origin || this.attached.has(id) || this.stopping) return;
    const position = this.lastPositions.has(id) ? (this.lastPositions.get(id) ?? null) : await this.store.position(id);
    if (this.attached.has(id)) return;
    const follower = new ContainerFollower(id, origin, position, this.runtime, this.writer);
    const done = follower
      .run()
      .catch((error: Error) => this.logger.error(`following ${id.slice(0, 12)}: ${error.message}`))
      .finally(() => this.detached(id, follower, labels));
    this.attached.set(id, { follower, done });
  }

  /** A container that restarted while its old stream was ending is followed again. */
  private async detached(id: string, follower: ContainerFollower, labels: Record<string, string>): Promise<void> {
    this.attached.delete(id);
    this.lastPositions.set(id, follower.current);
    if (this.stopping || !this.active) return;
    const state = await this.runtime.inspectContainer(id).catch(() => null);
    if (state?.running) await this.attach(id, labels);
  }

  private async onEvent(event: ContainerEvent): Promise<void> {
    if (event.action === 'start') return this.attach(event.id, event.labels);
    if (event.action === 'kill' || event.action === 'stop') this.stopRequested(event.id);
    if (event.action === 'destroy') this.forget(event.id);
    const origin = originOf(event.labels);
    if (!origin || event.labels[ONE_OFF_LABEL] === 'true') return;
    if (event.action === 'oom') {
      this.oomKilled.add(event.id);
      await this.report(origin, `${describe(origin)} ran out of memory and was OOM-killed`, 'error');
    }
    if (event.action === 'die') await this.onDie(event, origin);
  }

  private async onDie(event: ContainerEvent, origin: ContainerOrigin): Promise<void> {
    // Read before waiting: `destroy` may follow within milliseconds and forget the container.
    const stoppedBefore = this.wasStopped(event.id);
    const oomEvent = this.oomKilled.delete(event.id);
    const inspected = this.runtime.inspectContainer(event.id).catch(() => null);
    const attached = this.attached.get(event.id);
    if (attached) await Promise.race([attached.done, new Promise((resolve) => setTimeout(resolve, DRAIN_WAIT_MS))]);
    const stopped = stoppedBefore || (await this.stopEventWithin(event.id, STOP_EVENT_WAIT_MS));
    const oom = oomEvent || (await inspected)?.oomKilled === true;
    const code = event.exitCode ?? 'unknown';
    if (stopped && !oom) await this.report(origin, `${describe(origin)} stopped (exit code ${code})`, 'info');
    else await this.report(origin, `${describe(origin)} crashed with exit code ${code}${oom ? ' (OOM-killed)' : ''}`, 'error');
  }

  private wasStopped(id: string): boolean {
    return Date.now() - (this.killedAt.get(id) ?? 0) < STOP_WINDOW_MS;
  }

  private stopRequested(id: string): void {
    const now = Date.now();
    for (const [other, at] of this.killedAt) if (now - at > STOP_WINDOW_MS) this.killedAt.delete(other);
    this.killedAt.set(id, now);
    this.stopWaiters.get(id)?.();
  }

  /** Docker logs `kill` after the signal is sent, so a quick exit's `die` may come first. */
  private async stopEventWithin(id: string, ms: number): Promise<boolean> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.stopWaiters.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.stopWaiters.delete(id);
    return this.wasStopped(id);
  }

  private forget(id: string): void {
    // killedAt stays for a late `die` handler; it ages out in stopRequested().
    this.oomKilled.delete(id);
    // Its lines stay; the position is only needed while Docker still has the container.
    if (!this.attached.has(id)) this.lastPositions.delete(id);
  }

  private async report(origin: ContainerOrigin, message: string, level: 'info' | 'error'): Promise<void> {
    await this.appEvents.emit({
      app: origin.app,
      message,
      level,
      process: origin.process ?? undefined,
      instance: origin.instance ?? undefined,
      release: origin.release === null ? undefined : { id: '', version: origin.release },
    });
  }
}

function describe(origin: ContainerOrigin): string {
  return `instance ${origin.instance?.slice(0, 8) ?? '?'} (${origin.process ?? '?'}, v${origin.release ?? '?'})`;
}
