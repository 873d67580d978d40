import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BERTH_BIN } from '../../support/berth-process';
import { ConformanceCase } from './case';
import { configView, ImageView } from './compare';
import { flattenLayers } from './flatten';
import { readSavedImage, SavedImage } from './image-archive';
import { ProcessResult, runProcess, streamProcess } from './processes';

/** Debian's Docker 20.10 client: the `docker` first on PATH here is another build. */
export const DOCKER = '/usr/bin/docker';

export interface BuildOutcome {
  /** The flattened image; absent when the build failed. */
  image?: ImageView;
  /** The build's output, for a failure message. */
  log: string;
  millis: number;
}

export async function viewOf(saved: SavedImage): Promise<ImageView> {
  return { fs: await flattenLayers(saved.layers), config: configView(saved.config.config) };
}

function buildFlags(kase: ConformanceCase): string[] {
  const args = Object.entries(kase.buildArgs ?? {}).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
  return kase.target ? [...args, '--target', kase.target] : args;
}

/** Docker's own builder: BuildKit inside dockerd (DOCKER_BUILDKIT=1). */
export class DockerBuilder {
  private readonly env: NodeJS.ProcessEnv = { ...process.env, DOCKER_BUILDKIT: '1' };
  private readonly images = new Set<string>();

  /**
   * No --pull: BuildKit then resolves FROM in the local image store first and never contacts a
   * registry for an image it has (the base image's name exists in no registry, which proves it).
   * --network host: this dockerd has no bridge network for RUN steps.
   */
  async build(kase: ConformanceCase, contextDir: string, image: string): Promise<BuildOutcome> {
    const dockerfile = path.join(contextDir, kase.dockerfileName ?? 'Dockerfile');
    const args = ['build', '--network', 'host', '--progress', 'plain', '-t', image, '-f', dockerfile, ...buildFlags(kase), contextDir];
    this.images.add(image);
    const result = await runProcess(DOCKER, args, { env: this.env });
    if (result.status !== 0) return { log: result.stderr + result.stdout, millis: result.millis };
    return { image: await viewOf(await this.save(image)), log: result.stderr, millis: result.millis };
  }

  async save(image: string): Promise<SavedImage> {
    const saving = streamProcess(DOCKER, ['save', image], { env: this.env });
    const [saved] = await Promise.all([readSavedImage(saving.stdout), saving.done]);
    return saved;
  }

  async load(archive: string, image: string): Promise<void> {
    this.images.add(image);
    checked(await runProcess(DOCKER, ['load', '-i', archive], { env: this.env }), 'docker load');
  }

  /** Removes every image this run tagged (their layers go with them). */
  async removeImages(): Promise<void> {
    if (this.images.size === 0) return;
    await runProcess(DOCKER, ['rmi', '--force', ...this.images], { env: this.env });
    this.images.clear();
  }
}

/** Berth's builder through its CLI, into a layer store of its own. */
export class BerthBuilder {
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly dataDir: string) {
    this.env = { ...process.env, BERTH_DATA_DIR: dataDir };
  }

  async build(kase: ConformanceCase, contextDir: string, image: string): Promise<BuildOutcome> {
    const args = ['build', contextDir, '-f', kase.dockerfileName ?? 'Dockerfile', '-t', image, ...buildFlags(kase)];
    const result = await this.berth(args);
    if (result.status !== 0) return { log: result.stdout + result.stderr, millis: result.millis };
    return { image: await viewOf(await this.save(image)), log: result.stdout, millis: result.millis };
  }

  async save(image: string, archive = path.join(this.dataDir, `${image.replace(/[/:]/g, '_')}.tar`)): Promise<SavedImage> {
    checked(await this.berth(['image', 'save', image, '-o', archive]), 'berth image save');
    try {
      return await readSavedImage(createReadStream(archive));
    } finally {
      await fs.rm(archive, { force: true });
    }
  }

  async saveToFile(image: string, archive: string): Promise<void> {
    checked(await this.berth(['image', 'save', image, '-o', archive]), 'berth image save');
  }

  berth(args: string[]): Promise<ProcessResult> {
    return runProcess(process.execPath, [BERTH_BIN, ...args], { env: this.env, timeoutMs: 180_000 });
  }
}

export function checked(result: ProcessResult, what: string): ProcessResult {
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return result;
}
