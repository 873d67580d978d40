import path from 'node:path';
import { parseArgs } from 'node:util';

export const BUILD_USAGE = 'usage: berth build CONTEXT [-f FILE] [-t NAME:TAG] [--build-arg K=V]... [--target STAGE] [--no-cache]';

/** What `berth build` was asked to do; plain data, so it can travel to the build daemon. */
export interface BuildRequest {
  /** Absolute: the daemon's working directory is not the client's. */
  context: string;
  file: string;
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  noCache: boolean;
}

export function parseBuildArgs(argv: string[], cwd: string): BuildRequest {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
      tag: { type: 'string', short: 't', multiple: true },
      'build-arg': { type: 'string', multiple: true },
      target: { type: 'string' },
      'no-cache': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new Error('give exactly one build context directory');
  const buildArgs: Record<string, string> = {};
  for (const pair of values['build-arg'] ?? []) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new Error(`--build-arg ${pair}: expected NAME=VALUE`);
    buildArgs[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return {
    context: path.resolve(cwd, positionals[0]),
    file: values.file ?? 'Dockerfile',
    tags: values.tag ?? [],
    buildArgs,
    target: values.target,
    noCache: values['no-cache'] ?? false,
  };
}
