import { PassThrough, Readable, Transform } from 'node:stream';
import Docker from 'dockerode';
import { BerthLabel, ContainerEvent, ContainerRuntime, ContainerState, InstanceSpec, OneOffResult, RegistryCredentials } from './container-runtime.port';
import { containerOptions, oneOffOptions } from './container-options';
import { ContainerStats, DockerStatsSample, statsFromDocker } from './container-stats';
import { DockerLogLineParser, dockerSince } from './docker-log-lines';
import { RuntimeError, RuntimeErrorCode } from './runtime.errors';

const STOP_TIMEOUT_SECONDS = 10;

/** Translates DOCKER_HOST (unix:///path, tcp://host:port) into dockerode's options. */
export function dockerOptions(dockerHost: string): Docker.DockerOptions {
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  return { protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
}

/** Docker Engine through its API (dockerode): host networking, labels, restart policy, log rotation. */
export class DockerEngineRuntime implements ContainerRuntime {
  private readonly docker: Docker;

  /** installation: this Berth's id, labelled on its containers so two Berths on one engine never touch each other's. */
  constructor(
    private readonly dockerHost: string,
    private readonly installation: string,
  ) {
    this.docker = new Docker({ ...dockerOptions(dockerHost), timeout: 0 });
  }

  async ping(): Promise<void> {
    await this.engine(() => this.docker.ping());
  }

  async pullImage(image: string, credentials?: RegistryCredentials, onProgress?: (line: string) => void): Promise<void> {
    const authconfig = credentials && { username: credentials.username, password: credentials.password, serveraddress: credentials.serverAddress };
    const stream = await this.engine(() => this.docker.pull(image, { authconfig }));
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(new RuntimeError(RuntimeErrorCode.PullFailed, `pulling ${image} failed: ${error.message}`)) : resolve()),
        (event: { status?: string; id?: string }) => onProgress?.(`${event.id ? `${event.id}: ` : ''}${event.status ?? ''}`),
      ),
    );
  }

  async startInstance(spec: InstanceSpec): Promise<string> {
    const container = await this.engine(() => this.docker.createContainer(containerOptions(spec, this.installation)));
    await container.start();
    return container.id;
  }

  async runOnce(spec: Omit<InstanceSpec, 'port'> & { command: string }, onOutput?: (chunk: Buffer) => void): Promise<OneOffResult> {
    const container = await this.engine(() => this.docker.createContainer(oneOffOptions(spec, this.installation)));
    try {
      const raw = await container.attach({ stream: true, stdout: true, stderr: true });
      // Without a TTY, Docker frames stdout and stderr; demux them into one stream of text.
      const stream = new PassThrough();
      this.docker.modem.demuxStream(raw, stream, stream);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        onOutput?.(chunk);
      });
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      return { exitCode: StatusCode, output: Buffer.concat(chunks).toString('utf8') };
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    await this.docker.getContainer(id).stop({ t: graceSeconds }).catch(ignoreStatus(304, 404));
  }

  async removeContainer(id: string): Promise<void> {
    await this.docker.getContainer(id).remove({ force: true }).catch(ignoreStatus(404, 409));
  }

  async inspectContainer(id: string): Promise<ContainerState | null> {
    const info = await this.docker.getContainer(id).inspect().catch(ignoreStatus(404));
    if (!info) return null;
    return {
      id: info.Id,
      labels: info.Config.Labels ?? {},
      running: info.State.Running,
      exitCode: info.State.Running ? null : info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
      startedAt: info.State.StartedAt,
      health: info.State.Health?.Status as ContainerState['health'],
    };
  }

  async listAppContainers(appName: string): Promise<ContainerState[]> {
    const containers = await this.engine(() => this.docker.listContainers({ all: true, filters: { label: [`${BerthLabel.App}=${appName}`, `${BerthLabel.Installation}=${this.installation}`] } }));
    const states = await Promise.all(containers.map((info) => this.inspectContainer(info.Id)));
    return states.filter((state): state is ContainerState => state !== null);
  }

  /** Repeats until none is left: a deploy or scale finishing meanwhile may have started one more. */
  async removeAppContainers(appName: string): Promise<number> {
    let removed = 0;
    for (let round = 0; round < 5; round++) {
      const containers = await this.listAppContainers(appName);
      if (containers.length === 0) break;
      await Promise.all(
        containers.map(async (container) => {
          if (container.running) await this.stopContainer(container.id, STOP_TIMEOUT_SECONDS);
          await this.removeContainer(container.id);
        }),
      );
      removed += containers.length;
    }
    return removed;
  }

  async containerLogs(id: string, options: { follow: boolean; since?: number }): Promise<Readable> {
    const container = this.docker.getContainer(id);
    const query = { stdout: true, stderr: true, timestamps: true, since: options.since ?? 0 };
    if (!options.follow) return Readable.from([demuxFrames(await container.logs({ ...query, follow: false }))]);
    const raw = await container.logs({ ...query, follow: true });
    const out = new PassThrough();
    this.docker.modem.demuxStream(raw, out, out);
    raw.on('end', () => out.end());
    raw.on('error', (error: Error) => out.destroy(error));
    return out;
  }

  async stats(id: string): Promise<ContainerStats | null> {
    // stream: false without one-shot makes Docker take two samples, so precpu_stats is filled.
    const sample = (await this.engine(() => this.docker.getContainer(id).stats({ stream: false })).catch(ignoreStatus(404, 409))) as DockerStatsSample | null;
    // A stopped container answers zeros rather than an error.
    if (!sample?.memory_stats?.usage && !sample?.cpu_stats?.cpu_usage?.total_usage) return null;
    return statsFromDocker(sample);
  }

  async listInstallationContainers(): Promise<ContainerState[]> {
    const containers = await this.engine(() => this.docker.listContainers({ all: true, filters: { label: [`${BerthLabel.Installation}=${this.installation}`] } }));
    const states = await Promise.all(containers.map((info) => this.inspectContainer(info.Id)));
    return states.filter((state): state is ContainerState => state !== null);
  }

  async followLogLines(id: string, options: { sinceTime?: string }): Promise<Readable> {
    const since = options.sinceTime ? dockerSince(options.sinceTime) : 0;
    // dockerode types `since` as a number; Docker takes "seconds.nanoseconds", which keeps the resume exact.
    const raw = (await this.engine(() => this.docker.getContainer(id).logs({ stdout: true, stderr: true, timestamps: true, follow: true, since: since as number }))) as unknown as Readable;
    const parser = new DockerLogLineParser();
    raw.on('error', (error: Error) => parser.destroy(error));
    parser.on('close', () => raw.destroy());
    return raw.pipe(parser);
  }

  async containerEvents(): Promise<Readable> {
    const filters = { type: ['container' as const], event: ['start', 'die', 'oom', 'kill', 'stop', 'destroy'], label: [`${BerthLabel.Installation}=${this.installation}`] };
    const raw = (await this.engine(() => this.docker.getEvents({ filters }))) as unknown as Readable;
    const events = new Transform({ readableObjectMode: true, transform: eventTransform() });
    raw.on('error', (error: Error) => events.destroy(error));
    raw.on('end', () => events.end());
    events.on('close', () => raw.destroy());
    return raw.pipe(events);
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

/** Docker's log format without a TTY: frames of [stream, 0, 0, 0, size (BE32)] then the payload. */
function demuxFrames(buffer: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts);
}

/** Docker's event stream is newline-delimited JSON; a chunk may end mid-object. */
function eventTransform() {
  let pending = '';
  return function (this: Transform, chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const raw = JSON.parse(line) as { Action: string; Actor: { ID: string; Attributes?: Record<string, string> } };
      const attributes = raw.Actor.Attributes ?? {};
      const event: ContainerEvent = { action: raw.Action.split(':')[0] as ContainerEvent['action'], id: raw.Actor.ID, labels: attributes };
      if (attributes.exitCode !== undefined) event.exitCode = Number(attributes.exitCode);
      this.push(event);
    }
    callback();
  };
}

function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return ['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EACCES', 'ETIMEDOUT', 'EPIPE'].includes(code ?? '');
}

function ignoreStatus(...statuses: number[]) {
  return (error: { statusCode?: number }): null => {
    if (error.statusCode !== undefined && statuses.includes(error.statusCode)) return null;
    throw error;
  };
}
