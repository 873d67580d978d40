import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { BuilderError, BuilderErrorCode, ImageBuilder, NodeCommandRunner, openDirectoryContext, TextProgress } from '@berth/builder';
import { BerthConfig } from '@berth/config';
import { DockerfileError } from '@berth/dockerfile';
import { LayerStore } from '@berth/layer-store';
import { RegistryBaseImageFetcher } from '@berth/registry-client';
import { BuildRequest } from './build-request';

/** Where a build's text goes: a terminal for an in-process build, a socket for the daemon's. */
export interface BuildOutput {
  out(text: string): void;
  err(text: string): void;
}

/** One layer store and builder, kept by the daemon across builds (warm caches, compiled code). */
export class BuildEngine {
  private constructor(
    private readonly config: BerthConfig,
    private readonly builder: ImageBuilder,
  ) {}

  static async open(config: BerthConfig): Promise<BuildEngine> {
    const store = await LayerStore.open({ root: path.join(config.dataDir, 'layers') });
    const builder = new ImageBuilder({
      store,
      runner: new NodeCommandRunner(),
      ociRuntime: config.ociRuntime,
      workDir: path.join(config.dataDir, 'tmp', 'builds'),
      baseImages: RegistryBaseImageFetcher.fromConfig(config, store),
    });
    return new BuildEngine(config, builder);
  }

  /** Builds and reports like `docker build`; answers the exit code (0, or 1 with the error printed). */
  async build(request: BuildRequest, output: BuildOutput, signal?: AbortSignal): Promise<number> {
    const started = Date.now();
    try {
      const dockerfilePath = path.resolve(request.context, request.file);
      const text = await fs.readFile(dockerfilePath, 'utf8').catch(() => {
        throw new BuilderError(BuilderErrorCode.InvalidInstruction, `cannot read the Dockerfile ${dockerfilePath}`);
      });
      const context = await openDirectoryContext(request.context, request.file, { digestCacheDir: path.join(this.config.dataDir, 'cache', 'context-digests') });
      const result = await this.builder.build({
        context,
        dockerfile: { name: request.file, text },
        buildArgs: request.buildArgs,
        target: request.target,
        tags: request.tags,
        noCache: request.noCache,
        progress: new TextProgress(new Writable({ write: (chunk: Buffer, _encoding, done) => (output.out(chunk.toString('utf8')), done()) })),
        signal,
      });
      const lines = [`Successfully built ${result.manifestDigest} (${result.layers} layers) in ${((Date.now() - started) / 1000).toFixed(1)}s`];
      for (const tag of request.tags) lines.push(`Successfully tagged ${tag}`);
      lines.push(result.manifestDigest);
      output.out(`${lines.join('\n')}\n`);
      return 0;
    } catch (error) {
      output.err(describeBuildError(error));
      return 1;
    }
  }
}

function describeBuildError(error: unknown): string {
  if (error instanceof BuilderError || error instanceof DockerfileError) {
    const lastLines = (error.details as { lastLines?: string } | undefined)?.lastLines;
    return `error: ${error.message}\n${lastLines ? `last lines of its output:\n${lastLines}\n` : ''}`;
  }
  return `error: ${(error as Error).message ?? error}\n`;
}
