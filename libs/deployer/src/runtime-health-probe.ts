import { ContainerRuntime } from '@berth/runtime';
import { DeployerError, DeployerErrorCode } from './deployer.errors';
import { HealthProbe, HealthTarget } from './deployer.ports';
import { WEB_PROCESS } from './formation';

const POLL_MS = 250;
/** A process without a port to probe counts as healthy once it has stayed up this long. */
const SETTLE_MS = 2_000;

/**
 * Health as SPEC defines it: a web instance answers GET / with a status below 500, or, when
 * its image has a HEALTHCHECK, Docker says healthy. Any instance that exits fails at once.
 */
export class RuntimeHealthProbe implements HealthProbe {
  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async waitHealthy(target: HealthTarget, timeoutMs: number): Promise<void> {
    const started = Date.now();
    let lastProblem = 'no answer yet';
    while (Date.now() - started < timeoutMs) {
      const state = await this.runtime.inspectContainer(target.containerId);
      if (!state || !state.running) throw exited(target, state?.exitCode ?? null, state?.oomKilled ?? false);
      const verdict = await this.check(target, state.health, Date.now() - started);
      if (verdict === true) return;
      lastProblem = verdict;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new DeployerError(DeployerErrorCode.HealthCheckFailed, `${target.process} on port ${target.port} was not healthy within ${timeoutMs / 1000}s (${lastProblem})`);
  }

  async checkOnce(target: HealthTarget): Promise<true | string> {
    const health = target.usesImageHealthcheck ? (await this.runtime.inspectContainer(target.containerId))?.health : undefined;
    return this.check(target, health, SETTLE_MS);
  }

  private async check(target: HealthTarget, health: string | undefined, elapsed: number): Promise<true | string> {
    if (target.usesImageHealthcheck) return health === 'healthy' ? true : `HEALTHCHECK says ${health ?? 'nothing yet'}`;
    if (target.process !== WEB_PROCESS) return elapsed >= SETTLE_MS ? true : 'starting';
    try {
      const response = await this.fetchFn(`http://127.0.0.1:${target.port}/`, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
      await response.body?.cancel();
      return response.status < 500 ? true : `GET / answered ${response.status}`;
    } catch (error) {
      return `GET / failed: ${(error as Error).message}`;
    }
  }
}

function exited(target: HealthTarget, exitCode: number | null, oomKilled: boolean): DeployerError {
  const how = oomKilled ? 'was killed for using too much memory (OOM)' : `exited with code ${exitCode ?? 'unknown'}`;
  return new DeployerError(DeployerErrorCode.HealthCheckFailed, `${target.process} on port ${target.port} ${how} before it became healthy`);
}
