import { DockerfileError, DockerfileErrorCode } from '../errors';
import { DurationError, parseGoDuration } from './duration';
import { refused, type FlagSpec, type InstructionFlags } from './flags';
import { argumentError, parseFlags, type InstructionRequest } from './request';
import type {
  CmdInstruction,
  CommandLine,
  EntrypointInstruction,
  HealthcheckConfig,
  HealthcheckInstruction,
  RunInstruction,
  ShellInstruction,
} from './types';

const RUN_FLAGS: readonly FlagSpec[] = [
  refused('mount', 'strings'),
  refused('network', 'string'),
  refused('security', 'string'),
  refused('device', 'strings'),
];

const HEALTHCHECK_DURATION_FLAGS = ['interval', 'timeout', 'start-period', 'start-interval'] as const;
const HEALTHCHECK_FLAGS: readonly FlagSpec[] = [
  ...HEALTHCHECK_DURATION_FLAGS.map((name): FlagSpec => ({ name, type: 'string' })),
  { name: 'retries', type: 'string' },
];

const MINIMUM_INTERVAL_NS = 1_000_000n;
const INT32_MAX = 2 ** 31 - 1;

/** Exec form keeps the array; shell form is the arguments joined back into one command. */
function commandLine(request: InstructionRequest): CommandLine {
  if (request.json) return { form: 'exec', args: request.args };
  return { form: 'shell', command: request.args.join(' ') };
}

function requireCommand(request: InstructionRequest, example: string): CommandLine {
  if (!request.json && request.args.length === 0) {
    throw argumentError(`${request.keyword} requires a command, e.g. ${request.keyword} ${example}`);
  }
  return commandLine(request);
}

export function parseRun(request: InstructionRequest): RunInstruction {
  parseFlags(request, RUN_FLAGS);
  const command = requireCommand(request, 'npm ci');
  return { kind: 'RUN', ...request.base, command, heredocs: request.heredocs };
}

export function parseCmd(request: InstructionRequest): CmdInstruction {
  parseFlags(request);
  return { kind: 'CMD', ...request.base, command: requireCommand(request, '["node", "server.js"]') };
}

export function parseEntrypoint(request: InstructionRequest): EntrypointInstruction {
  parseFlags(request);
  return { kind: 'ENTRYPOINT', ...request.base, command: requireCommand(request, '["node", "server.js"]') };
}

export function parseShell(request: InstructionRequest): ShellInstruction {
  parseFlags(request);
  if (!request.json) {
    throw argumentError(`SHELL requires the arguments to be in JSON form, e.g. SHELL ["/bin/bash", "-c"]`);
  }
  if (request.args.length === 0) throw argumentError(`SHELL requires at least one argument, e.g. SHELL ["/bin/bash", "-c"]`);
  return { kind: 'SHELL', ...request.base, shell: request.args };
}

export function parseHealthcheck(request: InstructionRequest): HealthcheckInstruction {
  if (request.args.length === 0) {
    throw argumentError('HEALTHCHECK requires at least one argument, e.g. HEALTHCHECK CMD curl -f http://localhost/ || exit 1');
  }
  const type = request.args[0].toUpperCase();
  const rest = request.args.slice(1);
  if (type === 'NONE') return { kind: 'HEALTHCHECK', ...request.base, healthcheck: noHealthcheck(request, rest) };
  const flags = parseFlags(request, HEALTHCHECK_FLAGS);
  if (type !== 'CMD') throw argumentError(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  if (rest.length === 0) throw argumentError('Missing command after HEALTHCHECK CMD; write HEALTHCHECK CMD <command>');
  const test = request.json ? ['CMD', ...rest] : ['CMD-SHELL', rest.join(' ')];
  return { kind: 'HEALTHCHECK', ...request.base, healthcheck: { test, ...healthcheckTimings(flags) } };
}

function noHealthcheck(request: InstructionRequest, rest: string[]): HealthcheckConfig {
  if (rest.length > 0) throw argumentError(`HEALTHCHECK NONE takes no arguments; remove ${rest.join(' ')}`);
  if (request.writtenFlags.length > 0) {
    throw new DockerfileError(DockerfileErrorCode.UnknownFlag, `HEALTHCHECK NONE takes no flags; remove ${request.writtenFlags.join(' ')}`);
  }
  return { test: ['NONE'], intervalNs: 0, timeoutNs: 0, startPeriodNs: 0, startIntervalNs: 0, retries: 0 };
}

function healthcheckTimings(flags: InstructionFlags): Omit<HealthcheckConfig, 'test'> {
  return {
    intervalNs: durationFlag(flags, 'interval'),
    timeoutNs: durationFlag(flags, 'timeout'),
    startPeriodNs: durationFlag(flags, 'start-period'),
    startIntervalNs: durationFlag(flags, 'start-interval'),
    retries: retriesFlag(flags),
  };
}

/** Empty or zero means "Docker's default"; anything else must be at least 1ms. */
function durationFlag(flags: InstructionFlags, name: (typeof HEALTHCHECK_DURATION_FLAGS)[number]): number {
  const text = flags.string(name) ?? '';
  if (text === '') return 0;
  let nanoseconds: bigint;
  try {
    nanoseconds = parseGoDuration(text);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    throw flagError(`HEALTHCHECK --${name}: ${error.message}; write a duration like 30s, 1m30s or 500ms`);
  }
  if (nanoseconds === 0n) return 0;
  if (nanoseconds < MINIMUM_INTERVAL_NS) throw flagError(`HEALTHCHECK --${name} cannot be less than 1ms (got ${text})`);
  if (nanoseconds > BigInt(Number.MAX_SAFE_INTEGER)) throw flagError(`HEALTHCHECK --${name}=${text} is too long; use at most 100 days`);
  return Number(nanoseconds);
}

function retriesFlag(flags: InstructionFlags): number {
  const text = flags.string('retries') ?? '';
  if (text === '') return 0;
  if (!/^[+-]?\d+$/.test(text) || Math.abs(Number(text)) > INT32_MAX) {
    throw flagError(`HEALTHCHECK --retries must be a whole number, not ${JSON.stringify(text)}`);
  }
  const retries = Number(text);
  if (retries < 0) throw flagError(`HEALTHCHECK --retries cannot be negative (${retries})`);
  return retries;
}

function flagError(message: string): DockerfileError {
  return new DockerfileError(DockerfileErrorCode.InvalidFlagValue, message);
}
