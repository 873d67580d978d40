import { DockerfileError, DockerfileErrorCode } from '../errors';
import {
  argumentError,
  parseFlags,
  requireArguments,
  requireExactlyOneArgument,
  type InstructionRequest,
} from './request';
import type {
  ArgDeclaration,
  ArgInstruction,
  EnvInstruction,
  ExposeInstruction,
  FromInstruction,
  KeyValue,
  LabelInstruction,
  MaintainerInstruction,
  StopSignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from './types';

const VALID_STAGE_NAME = /^[a-z][a-z0-9_.-]*$/;

export function parseFrom(request: InstructionRequest): FromInstruction {
  const flags = parseFlags(request, [{ name: 'platform', type: 'string' }]);
  const { args } = request;
  const hasStageName = args.length === 3 && args[1].toLowerCase() === 'as';
  if (args.length !== 1 && !hasStageName) {
    throw argumentError('FROM requires either one or three arguments: FROM <image> [AS <name>]');
  }
  const platform = flags.string('platform');
  const instruction: FromInstruction = { kind: 'FROM', ...request.base, image: args[0] };
  if (hasStageName) instruction.stageName = stageName(args[2]);
  if (platform !== undefined) instruction.platform = platform;
  return instruction;
}

function stageName(written: string): string {
  const name = written.toLowerCase();
  if (!VALID_STAGE_NAME.test(name)) {
    throw new DockerfileError(
      DockerfileErrorCode.InvalidStageName,
      `invalid name for build stage: ${JSON.stringify(written)}, name can't start with a number or contain symbols; ` +
        'use letters, digits, -, _ and .',
    );
  }
  return name;
}

/** ENV and LABEL arrive from the syntax tree as (key, value, separator) triples. */
function keyValues(request: InstructionRequest, example: string): KeyValue[] {
  requireArguments(request, example);
  if (request.args.length % 3 !== 0) throw argumentError(`Bad input to ${request.keyword}, too many arguments`);
  const pairs: KeyValue[] = [];
  for (let index = 0; index < request.args.length; index += 3) {
    const key = request.args[index];
    if (key === '') throw argumentError(`${request.keyword} names can not be blank; write ${request.keyword} ${example}`);
    pairs.push({ key, value: request.args[index + 1] });
  }
  return pairs;
}

export function parseEnv(request: InstructionRequest): EnvInstruction {
  parseFlags(request);
  return { kind: 'ENV', ...request.base, variables: keyValues(request, 'NODE_ENV=production') };
}

export function parseLabel(request: InstructionRequest): LabelInstruction {
  parseFlags(request);
  return { kind: 'LABEL', ...request.base, labels: keyValues(request, 'org.opencontainers.image.source=https://...') };
}

export function parseArg(request: InstructionRequest): ArgInstruction {
  parseFlags(request);
  requireArguments(request, 'VERSION=1.0');
  const args = request.args.map((word): ArgDeclaration => {
    const equals = word.indexOf('=');
    if (equals < 0) return { name: word };
    if (equals === 0) throw argumentError('ARG names can not be blank; write ARG NAME=value');
    return { name: word.slice(0, equals), defaultValue: word.slice(equals + 1) };
  });
  return { kind: 'ARG', ...request.base, args };
}

export function parseExpose(request: InstructionRequest): ExposeInstruction {
  parseFlags(request);
  requireArguments(request, '8080/tcp');
  return { kind: 'EXPOSE', ...request.base, ports: request.args };
}

export function parseVolume(request: InstructionRequest): VolumeInstruction {
  parseFlags(request);
  requireArguments(request, '/data');
  const volumes = request.args.map((volume) => volume.trim());
  if (volumes.includes('')) throw argumentError('VOLUME specified can not be an empty string; remove the empty entry');
  return { kind: 'VOLUME', ...request.base, volumes };
}

export function parseUser(request: InstructionRequest): UserInstruction {
  parseFlags(request);
  return { kind: 'USER', ...request.base, user: requireExactlyOneArgument(request, 'node') };
}

export function parseWorkdir(request: InstructionRequest): WorkdirInstruction {
  parseFlags(request);
  return { kind: 'WORKDIR', ...request.base, path: requireExactlyOneArgument(request, '/app') };
}

export function parseStopSignal(request: InstructionRequest): StopSignalInstruction {
  parseFlags(request);
  return { kind: 'STOPSIGNAL', ...request.base, signal: requireExactlyOneArgument(request, 'SIGTERM') };
}

export function parseMaintainer(request: InstructionRequest): MaintainerInstruction {
  parseFlags(request);
  return { kind: 'MAINTAINER', ...request.base, maintainer: requireExactlyOneArgument(request, 'name@example.com') };
}
