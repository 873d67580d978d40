import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobQueue } from '@berth/queue';
import { CONTAINER_RUNTIME, ContainerRuntime } from '@berth/runtime';

export type DependencyName = 'postgres' | 'redis' | 'docker';

export interface Readiness {
  ready: boolean;
  checks: Record<DependencyName, { ok: boolean; error?: string }>;
}

const CHECK_TIMEOUT_MS = 3000;

@Injectable()
export class ReadinessService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: JobQueue,
    @Inject(CONTAINER_RUNTIME) private readonly runtime: ContainerRuntime,
  ) {}

  async check(): Promise<Readiness> {
    const probes: Record<DependencyName, () => Promise<unknown>> = {
      postgres: () => this.dataSource.query('SELECT 1'),
      redis: () => this.queue.ping(),
      docker: () => this.runtime.ping(),
    };
    const names = Object.keys(probes) as DependencyName[];
    const results = await Promise.all(names.map((name) => probe(probes[name])));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i]])) as Readiness['checks'];
    return { ready: results.every((result) => result.ok), checks };
  }
}

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
