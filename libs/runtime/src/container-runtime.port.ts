import type { Readable } from 'node:stream';
import type { ContainerStats } from './container-stats';

/** Labels that tie a container to Berth's records. */
export const BerthLabel = {
  App: 'berth.app',
  Release: 'berth.release',
  Version: 'berth.version',
  Process: 'berth.process',
  Port: 'berth.port',
  Instance: 'berth.instance',
  Installation: 'berth.installation',
} as const;

export interface RegistryCredentials {
  username: string;
  password: string;
  /** host:port of the registry. */
  serverAddress: string;
}

/** One instance of one process type of one release. */
export interface InstanceSpec {
  app: string;
  instanceId: string;
  releaseId: string;
  version: number;
  process: string;
  image: string;
  /** A Procfile command (run with /bin/sh -c); absent means the image's own ENTRYPOINT/CMD. */
  command?: string;
  env: Record<string, string>;
  /** Host port the process listens on (host networking): Berth injects it as PORT. */
  port: number;
  memoryBytes?: number;
  cpus?: number;
}

export interface ContainerState {
  id: string;
  labels: Record<string, string>;
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
  startedAt?: string;
  /** Docker's verdict when the image has a HEALTHCHECK; absent otherwise. */
  health?: 'starting' | 'healthy' | 'unhealthy';
}

/** One line a container printed, as Docker stored it (timestamps=true). */
export interface ContainerLogLine {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds, Docker's own timestamp of the line. */
  time: string;
  message: string;
}

/** A lifecycle event of one of this installation's containers. */
export interface ContainerEvent {
  action: 'start' | 'die' | 'oom' | 'kill' | 'stop' | 'destroy';
  id: string;
  labels: Record<string, string>;
  /** On `die`. */
  exitCode?: number;
}

export interface OneOffResult {
  exitCode: number;
  output: string;
}

/**
 * The engine that runs deployed containers. Services depend on this port, never on a
 * Docker client, so they stay testable and the engine stays replaceable.
 */
export interface ContainerRuntime {
  /** Resolves when the engine answers; rejects with a RuntimeError otherwise. */
  ping(): Promise<void>;
  /** Makes `image` available to the engine, pulling it from a registry. */
  pullImage(image: string, credentials?: RegistryCredentials, onProgress?: (line: string) => void): Promise<void>;
  /** Creates and starts an instance; answers its container id. */
  startInstance(spec: InstanceSpec): Promise<string>;
  /** Runs a command once to completion (a release command); its output is returned. */
  runOnce(spec: Omit<InstanceSpec, 'port'> & { command: string }, onOutput?: (chunk: Buffer) => void): Promise<OneOffResult>;
  /** SIGTERM (or the image's STOPSIGNAL), then SIGKILL after the grace period. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerState | null>;
  listAppContainers(appName: string): Promise<ContainerState[]>;
  /** Stops and removes every container of an app; answers how many there were. */
  removeAppContainers(appName: string): Promise<number>;
  /** The container's output since `since` (unix seconds), following it when asked. */
  containerLogs(id: string, options: { follow: boolean; since?: number }): Promise<Readable>;
  /** CPU and memory use of a running container (one sample, about a second); null when it is gone or stopped. */
  stats(id: string): Promise<ContainerStats | null>;
  /** Every container of this installation, running or stopped (one-off containers included). */
  listInstallationContainers(): Promise<ContainerState[]>;
  /**
   * The container's lines from `sinceTime` (inclusive, RFC 3339) as an object stream of
   * ContainerLogLine, following until the container stops; destroy() detaches.
   */
  followLogLines(id: string, options: { sinceTime?: string }): Promise<Readable>;
  /** Lifecycle events of this installation's containers as an object stream of ContainerEvent. */
  containerEvents(): Promise<Readable>;
}

export const CONTAINER_RUNTIME = Symbol('CONTAINER_RUNTIME');
