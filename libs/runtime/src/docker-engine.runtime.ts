import Docker from 'dockerode';
import { BerthLabel, ContainerRuntime } from './container-runtime.port';
import { RuntimeError, RuntimeErrorCode } from './runtime.errors';

const STOP_TIMEOUT_SECONDS = 10;

/** Translates DOCKER_HOST (unix:///path, tcp://host:port) into dockerode's options. */
export function dockerOptions(dockerHost: string): Docker.DockerOptions {
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  return { protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
}

export class DockerEngineRuntime implements ContainerRuntime {
  private readonly docker: Docker;

  constructor(private readonly dockerHost: string) {
    this.docker = new Docker({ ...dockerOptions(dockerHost), timeout: 30_000 });
  }

  async ping(): Promise<void> {
    await this.engine(() => this.docker.ping());
  }

  async removeAppContainers(appName: string): Promise<number> {
    const containers = await this.engine(() =>
      this.docker.listContainers({ all: true, filters: { label: [`${BerthLabel.App}=${appName}`] } }),
    );
    for (const info of containers) {
      const container = this.docker.getContainer(info.Id);
      if (info.State === 'running') await container.stop({ t: STOP_TIMEOUT_SECONDS }).catch(ignoreNotRunning);
      await container.remove({ force: true }).catch(ignoreGone);
    }
    return containers.length;
  }

  private async engine<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isConnectionError(error)) {
        throw new RuntimeError(
          RuntimeErrorCode.EngineUnavailable,
          `Docker Engine at ${this.dockerHost} did not answer (${(error as Error).message}); start dockerd (scripts/bootstrap does) or fix DOCKER_HOST`,
        );
      }
      throw error;
    }
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return ['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EACCES', 'ETIMEDOUT', 'EPIPE'].includes(code ?? '');
}

function ignoreNotRunning(error: { statusCode?: number }): void {
  if (error.statusCode !== 304 && error.statusCode !== 404) throw error;
}

function ignoreGone(error: { statusCode?: number }): void {
  if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
}
