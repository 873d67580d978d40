import fs from 'node:fs/promises';
import path from 'node:path';
import { runChecked, runCommand } from './process';

/** Debian's Docker client, not whatever `docker` comes first on PATH. */
export const DOCKER = '/usr/bin/docker';
const DOCKER_HOST = 'unix:///var/run/docker.sock';
export const BERTH_BIN = path.resolve(__dirname, '../../../bin/berth');

export interface BuildRun {
  seconds: number;
  output: string;
  peakRssKb: number | null;
}

/** `berth build` as a user runs it (the bin/berth command): a fresh process per build, its own BERTH_DATA_DIR. */
export class BerthBuilder {
  async build(dataDir: string, context: string, tag: string, options: { sampleRss?: boolean; noCache?: boolean } = {}): Promise<BuildRun> {
    const args = ['build', context, '-t', tag, ...(options.noCache ? ['--no-cache'] : [])];
    // Memory is sampled from the process that builds: with the daemon that is not `berth build`.
    const daemon = options.sampleRss ? { BERTH_BUILD_DAEMON: 'off' } : {};
    const result = await runChecked(BERTH_BIN, args, {
      env: { ...process.env, BERTH_DATA_DIR: dataDir, ...daemon },
      sampleRss: options.sampleRss,
    });
    return { seconds: result.seconds, output: result.stdout, peakRssKb: result.peakRssKb };
  }

  async save(dataDir: string, tag: string, archive: string): Promise<void> {
    await runChecked(BERTH_BIN, ['image', 'save', tag, '-o', archive], { env: { ...process.env, BERTH_DATA_DIR: dataDir } });
  }

  /** A data dir holding only the base image: `cp -a` of a template, so a cold build starts from it. */
  async cloneDataDir(template: string, target: string): Promise<void> {
    await runChecked('cp', ['-a', '--', template, target]);
  }
}

/** The daemon's version, or null when /usr/bin/docker cannot reach it. */
export async function dockerVersion(): Promise<string | null> {
  const env = { ...process.env, DOCKER_HOST };
  const result = await runCommand(DOCKER, ['version', '--format', '{{.Server.Version}}'], { env }).catch(() => null);
  return result?.code === 0 ? result.stdout.trim() : null;
}

/**
 * `docker build` with BuildKit against dockerd. `--network host` because this dockerd runs with
 * --bridge=none, and Berth's RUN steps share the host network too: same conditions on both sides.
 */
export class DockerBuilder {
  private readonly env = { ...process.env, DOCKER_BUILDKIT: '1', DOCKER_HOST };
  private builds = 0;
  /** Every image this bench made, tagged or left dangling by a later build under the same tag. */
  readonly imageIds = new Set<string>();

  constructor(private readonly scratchDir: string) {}

  async build(context: string, tag: string, options: { noCache: boolean }): Promise<BuildRun> {
    const iidFile = path.join(this.scratchDir, `docker-iid-${++this.builds}`);
    const args = ['build', '--network', 'host', '--progress', 'plain', '--iidfile', iidFile, '-t', tag];
    if (options.noCache) args.push('--no-cache');
    const result = await runChecked(DOCKER, [...args, context], { env: this.env });
    this.imageIds.add((await fs.readFile(iidFile, 'utf8')).trim());
    // BuildKit writes its progress to stderr.
    return { seconds: result.seconds, output: result.stderr, peakRssKb: null };
  }

  async load(archive: string): Promise<void> {
    await runChecked(DOCKER, ['load', '-i', archive], { env: this.env });
  }

  /** Untags `tags`, then removes the images the bench built; errors are reported, not thrown. */
  async removeImages(tags: string[]): Promise<string[]> {
    const problems: string[] = [];
    for (const target of [...tags, ...this.imageIds]) {
      const result = await runCommand(DOCKER, ['rmi', target], { env: this.env });
      if (result.code !== 0 && !/No such image/i.test(result.stderr)) problems.push(`docker rmi ${target}: ${result.stderr.trim()}`);
    }
    return problems;
  }

  run(args: string[]) {
    return runCommand(DOCKER, args, { env: this.env });
  }
}

/** How many steps a build reused: Berth prints "Using cache", BuildKit "CACHED". */
export function cachedSteps(builder: 'berth' | 'docker', output: string): number {
  const pattern = builder === 'berth' ? /^ ---> Using cache$/gm : /^#\d+ CACHED$/gm;
  return (output.match(pattern) ?? []).length;
}

/** Berth's own per-step times: "Step 4/8 : COPY x y" ... " ---> Done in 0.05s". */
export function berthStepTimes(output: string): Array<{ step: string; seconds: number }> {
  const steps: Array<{ step: string; seconds: number }> = [];
  let current: string | null = null;
  for (const line of output.split('\n')) {
    const step = /^Step \d+\/\d+ : (.*)$/.exec(line);
    if (step) current = step[1];
    const done = /^ ---> Done in ([\d.]+)s$/.exec(line);
    if (done && current !== null) {
      steps.push({ step: current, seconds: Number(done[1]) });
      current = null;
    }
  }
  return steps;
}
