/**
 * Which route-change generation a router may acknowledge: the newest it applied, but never
 * one at or past a change whose drain is still running (the deployer would stop an instance
 * that still has requests in flight). Generations only go up.
 */
export class Acknowledgements {
  private acked = 0;
  private newestApplied = 0;
  /** Generation -> how many applications of it are running (a catch-up may repeat one). */
  private readonly pending = new Map<number, number>();

  begin(generation: number): void {
    this.pending.set(generation, (this.pending.get(generation) ?? 0) + 1);
  }

  /** Marks a change applied; answers the generation to acknowledge now, if it went up. */
  finish(generation: number): number | undefined {
    const left = (this.pending.get(generation) ?? 1) - 1;
    if (left > 0) this.pending.set(generation, left);
    else this.pending.delete(generation);
    this.newestApplied = Math.max(this.newestApplied, generation);
    return this.raise(this.pending.size ? Math.min(...this.pending.keys()) - 1 : this.newestApplied);
  }

  /** A router that read its routes after generation G owes nothing up to G. */
  raise(generation: number): number | undefined {
    if (generation <= this.acked) return undefined;
    this.acked = generation;
    return generation;
  }
}
