import type Docker from 'dockerode';
import { BerthLabel, InstanceSpec } from './container-runtime.port';

const LOG_OPTIONS = { 'max-size': '10m', 'max-file': '3' };

function labels(spec: Omit<InstanceSpec, 'port'>, installation: string, port?: number): Record<string, string> {
  return {
    [BerthLabel.Installation]: installation,
    [BerthLabel.App]: spec.app,
    [BerthLabel.Instance]: spec.instanceId,
    [BerthLabel.Release]: spec.releaseId,
    [BerthLabel.Version]: String(spec.version),
    [BerthLabel.Process]: spec.process,
    ...(port === undefined ? {} : { [BerthLabel.Port]: String(port) }),
  };
}

function environment(spec: Omit<InstanceSpec, 'port'>, port?: number): string[] {
  const env = { ...spec.env, ...(port === undefined ? {} : { PORT: String(port) }) };
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

function resources(spec: Omit<InstanceSpec, 'port'>): Docker.HostConfig {
  return {
    ...(spec.memoryBytes ? { Memory: spec.memoryBytes } : {}),
    ...(spec.cpus ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
  };
}

/** A long-running instance: host networking, restarted unless stopped, logs rotated. */
export function containerOptions(spec: InstanceSpec, installation: string): Docker.ContainerCreateOptions {
  return {
    name: `berth-${spec.app}-${spec.process}-v${spec.version}-${spec.instanceId.slice(0, 8)}`,
    Image: spec.image,
    ...(spec.command ? { Entrypoint: ['/bin/sh', '-c'], Cmd: [spec.command] } : {}),
    Env: environment(spec, spec.port),
    Labels: labels(spec, installation, spec.port),
    HostConfig: {
      NetworkMode: 'host',
      RestartPolicy: { Name: 'unless-stopped' },
      LogConfig: { Type: 'json-file', Config: LOG_OPTIONS },
      ...resources(spec),
    },
  };
}

/** A release command: runs once in the new image with the new config, then is removed. */
export function oneOffOptions(spec: Omit<InstanceSpec, 'port'> & { command: string }, installation: string): Docker.ContainerCreateOptions {
  return {
    Image: spec.image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [spec.command],
    Env: environment(spec),
    Labels: { ...labels(spec, installation), 'berth.one-off': 'true' },
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { NetworkMode: 'host', LogConfig: { Type: 'json-file', Config: LOG_OPTIONS }, ...resources(spec) },
  };
}
