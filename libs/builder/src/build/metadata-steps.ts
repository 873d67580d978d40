import path from 'node:path';
import type { CommandLine, Instruction } from '@berth/dockerfile';
import type { ContainerConfig } from '@berth/layer-store';

const DEFAULT_SHELL = ['/bin/sh', '-c'];

export function shellOf(config: ContainerConfig): string[] {
  return config.Shell && config.Shell.length > 0 ? config.Shell : DEFAULT_SHELL;
}

/** CMD/ENTRYPOINT/RUN in shell form run through the image's SHELL. */
export function commandArgs(command: CommandLine, config: ContainerConfig): string[] {
  return command.form === 'exec' ? command.args : [...shellOf(config), command.command];
}

/** WORKDIR: a relative path continues from the current one. */
export function resolveWorkdir(current: string | undefined, next: string): string {
  return path.posix.resolve(current || '/', next);
}

/** `80`, `80/udp`, `8000-8002/tcp` -> Docker's `port/proto` keys, ranges expanded. */
export function exposedPorts(specs: string[]): string[] {
  const ports: string[] = [];
  for (const spec of specs) {
    const [range, protocol = 'tcp'] = spec.toLowerCase().split('/');
    const [start, end = start] = range.split('-').map(Number);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 1 || end > 65535 || end < start) {
      throw new Error(`EXPOSE ${spec}: not a port, port range or port/protocol`);
    }
    for (let port = start; port <= end; port++) ports.push(`${port}/${protocol}`);
  }
  return ports;
}

export interface MetadataContext {
  /** Whether CMD was set in this stage (ENTRYPOINT then keeps it; else it clears an inherited one). */
  cmdSetInStage: boolean;
}

/**
 * Applies an instruction that only changes the image config, as Docker writes it. Answers
 * false for instructions that change files (RUN, COPY, ADD, WORKDIR's mkdir is separate).
 */
export function applyMetadata(instruction: Instruction, config: ContainerConfig, context: MetadataContext): boolean {
  switch (instruction.kind) {
    case 'LABEL':
      config.Labels = { ...config.Labels, ...Object.fromEntries(instruction.labels.map(({ key, value }) => [key, value])) };
      return true;
    case 'EXPOSE':
      config.ExposedPorts = { ...config.ExposedPorts, ...Object.fromEntries(exposedPorts(instruction.ports).map((port) => [port, {}])) };
      return true;
    case 'VOLUME':
      config.Volumes = { ...config.Volumes, ...Object.fromEntries(instruction.volumes.map((volume) => [volume, {}])) };
      return true;
    case 'USER':
      config.User = instruction.user;
      return true;
    case 'STOPSIGNAL':
      config.StopSignal = instruction.signal;
      return true;
    case 'SHELL':
      config.Shell = instruction.shell;
      return true;
    case 'CMD':
      setCommand(config, 'Cmd', commandArgs(instruction.command, config));
      context.cmdSetInStage = true;
      return true;
    case 'ENTRYPOINT':
      setCommand(config, 'Entrypoint', commandArgs(instruction.command, config));
      if (!context.cmdSetInStage) delete config.Cmd;
      return true;
    case 'HEALTHCHECK':
      config.Healthcheck = healthcheck(instruction.healthcheck);
      return true;
    case 'ONBUILD':
      config.OnBuild = [...(config.OnBuild ?? []), instruction.expression];
      return true;
    default:
      return false;
  }
}

/** `CMD []` and `ENTRYPOINT []` unset the field, as Docker records them (null, not []). */
function setCommand(config: ContainerConfig, field: 'Cmd' | 'Entrypoint', args: string[]): void {
  if (args.length === 0) delete config[field];
  else config[field] = args;
}

function healthcheck(check: { test: string[]; intervalNs: number; timeoutNs: number; startPeriodNs: number; startIntervalNs: number; retries: number }) {
  if (check.test[0] === 'NONE') return { Test: ['NONE'] };
  const result: Record<string, unknown> = { Test: check.test };
  if (check.intervalNs) result.Interval = check.intervalNs;
  if (check.timeoutNs) result.Timeout = check.timeoutNs;
  if (check.startPeriodNs) result.StartPeriod = check.startPeriodNs;
  if (check.startIntervalNs) result.StartInterval = check.startIntervalNs;
  if (check.retries) result.Retries = check.retries;
  return result;
}
