import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BuilderError, BuilderErrorCode, ImageBuilder, NodeCommandRunner, openDirectoryContext, TextProgress } from '@berth/builder';
import { BerthConfig } from '@berth/config';
import { DockerfileError } from '@berth/dockerfile';
import { RegistryBaseImageFetcher } from '@berth/registry-client';
import { openLayerStore } from './layer-store-access';

const USAGE = 'usage: berth build CONTEXT [-f FILE] [-t NAME:TAG] [--build-arg K=V]... [--target STAGE] [--no-cache]';

/** `berth build`: builds with Berth's builder into the local layer store; the last line is the digest. */
export async function runBuild(config: BerthConfig, argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseBuildArgs>;
  try {
    options = parseBuildArgs(argv);
  } catch (error) {
    console.error(`berth build: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error('berth build: needs root (overlay mounts and runc); run it as root or through sudo');
    return 1;
  }
  const started = Date.now();
  try {
    const dockerfilePath = path.resolve(options.context, options.file);
    const text = await fs.readFile(dockerfilePath, 'utf8').catch(() => {
      throw new BuilderError(BuilderErrorCode.InvalidInstruction, `cannot read the Dockerfile ${dockerfilePath}`);
    });
    const context = await openDirectoryContext(options.context, options.file, { digestCacheDir: path.join(config.dataDir, 'cache', 'context-digests') });
    const store = await openLayerStore(config);
    const builder = new ImageBuilder({
      store,
      runner: new NodeCommandRunner(),
      ociRuntime: config.ociRuntime,
      workDir: path.join(config.dataDir, 'tmp', 'builds'),
      baseImages: RegistryBaseImageFetcher.fromConfig(config, store),
    });
    const result = await builder.build({
      context,
      dockerfile: { name: options.file, text },
      buildArgs: options.buildArgs,
      target: options.target,
      tags: options.tags,
      noCache: options.noCache,
      progress: new TextProgress(process.stdout),
    });
    console.log(`Successfully built ${result.manifestDigest} (${result.layers} layers) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    for (const tag of options.tags) console.log(`Successfully tagged ${tag}`);
    console.log(result.manifestDigest);
    return 0;
  } catch (error) {
    printBuildError(error);
    return 1;
  }
}

function parseBuildArgs(argv: string[]) {
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
    context: positionals[0],
    file: values.file ?? 'Dockerfile',
    tags: values.tag ?? [],
    buildArgs,
    target: values.target,
    noCache: values['no-cache'] ?? false,
  };
}

function printBuildError(error: unknown): void {
  if (error instanceof BuilderError || error instanceof DockerfileError) {
    console.error(`error: ${error.message}`);
    const lastLines = (error.details as { lastLines?: string } | undefined)?.lastLines;
    if (lastLines) console.error(`last lines of its output:\n${lastLines}`);
    return;
  }
  console.error(`error: ${(error as Error).message ?? error}`);
}
