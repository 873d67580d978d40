import { Inject, Injectable, Optional } from '@nestjs/common';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';

/** A connection that may outlive any drain (a WebSocket, a streaming response): closed after the grace. */
export interface LongLived {
  /** Ends it gracefully (WebSocket close 1001, end of a chunked stream). */
  close(): void;
}

const DEFAULT_DRAIN_GRACE_MS = 10_000;

/**
 * Requests in flight and long-lived connections per upstream port, so a drain knows when an
 * old instance is idle. Upgraded connections are not requests: a drain would otherwise wait
 * for them until its timeout; instead they are closed gracefully after the drain grace.
 */
@Injectable()
export class InFlightRequests {
  private readonly counts = new Map<number, number>();
  private readonly longLived = new Map<number, Set<LongLived>>();
  private waiters: Array<() => void> = [];
  private readonly graceMs: number;

  constructor(@Optional() @Inject(BERTH_CONFIG) config?: BerthConfig) {
    this.graceMs = config?.router.limits?.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS;
  }

  begin(port: number): void {
    this.counts.set(port, (this.counts.get(port) ?? 0) + 1);
  }

  end(port: number): void {
    const left = (this.counts.get(port) ?? 1) - 1;
    if (left > 0) this.counts.set(port, left);
    else this.counts.delete(port);
    this.wake();
  }

  /** Ports with a request in flight right now. */
  ports(): number[] {
    return [...this.counts.keys()];
  }

  count(port: number): number {
    return this.counts.get(port) ?? 0;
  }

  /** Registers a connection a drain of `port` must close; call the returned function when it ends by itself. */
  track(port: number, connection: LongLived): () => void {
    let set = this.longLived.get(port);
    if (!set) this.longLived.set(port, (set = new Set()));
    set.add(connection);
    return () => {
      const current = this.longLived.get(port);
      if (!current?.delete(connection)) return;
      if (current.size === 0) this.longLived.delete(port);
      this.wake();
    };
  }

  longLivedCount(port: number): number {
    return this.longLived.get(port)?.size ?? 0;
  }

  /**
   * A drain of `ports`: resolves true once none of them has a request in flight or a long-lived
   * connection, false after `timeoutMs`. Long-lived connections still open after the grace are
   * closed (the grace is shorter than the deployer's drain wait, so they end before SIGTERM).
   */
  async waitDrained(ports: number[], timeoutMs: number): Promise<boolean> {
    const grace = setTimeout(() => this.closeLongLived(ports), Math.min(this.graceMs, timeoutMs));
    try {
      return await this.waitIdle(ports, timeoutMs);
    } finally {
      clearTimeout(grace);
    }
  }

  /** Shutdown: every WebSocket hears "going away", every stream ends, so clients reconnect elsewhere. */
  closeAllLongLived(): void {
    this.closeLongLived([...this.longLived.keys()]);
  }

  private closeLongLived(ports: number[]): void {
    for (const port of ports) {
      for (const connection of [...(this.longLived.get(port) ?? [])]) connection.close();
    }
  }

  private async waitIdle(ports: number[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (ports.some((port) => this.count(port) > 0 || this.longLived.has(port))) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    for (const wake of this.waiters.splice(0)) wake();
  }
}
