import { Injectable } from '@nestjs/common';

/** Requests in flight per upstream port, so a drain knows when an old instance is idle. */
@Injectable()
export class InFlightRequests {
  private readonly counts = new Map<number, number>();
  private waiters: Array<() => void> = [];

  begin(port: number): void {
    this.counts.set(port, (this.counts.get(port) ?? 0) + 1);
  }

  end(port: number): void {
    const left = (this.counts.get(port) ?? 1) - 1;
    if (left > 0) this.counts.set(port, left);
    else this.counts.delete(port);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Ports with a request in flight right now. */
  ports(): number[] {
    return [...this.counts.keys()];
  }

  count(port: number): number {
    return this.counts.get(port) ?? 0;
  }

  /** Resolves true once none of `ports` has a request in flight, false after `timeoutMs`. */
  async waitDrained(ports: number[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (ports.some((port) => this.count(port) > 0)) {
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
}
