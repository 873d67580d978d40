import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BerthBuilder, BuildOutcome, DockerBuilder, viewOf } from './builders';
import { ConformanceCase, writeContext } from './case';
import { ImageView } from './compare';
import { TaskPool } from './processes';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'app:x:1000:1000:app:/home/app:/bin/sh',
  'svc:x:1001:1001:service:/srv:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
].join('\n');
const GROUP = ['root:x:0:', 'daemon:x:1:', 'staff:x:50:app,svc', 'app:x:1000:', 'svc:x:1001:', 'nogroup:x:65534:'].join('\n');

/** Builds of one case on both sides (`docker` absent for cases with a hand-written expectation). */
export interface CaseResult {
  docker?: BuildOutcome;
  berth: BuildOutcome;
}

export interface HarnessOptions {
  /** Concurrent `docker build`s and `berth build`s; measured on 2 cores in README.md. */
  dockerConcurrency: number;
  berthConcurrency: number;
}

/**
 * One run of the suite: a temp dir holding every case's context and Berth's layer store, the
 * busybox base image (built by Berth, loaded into Docker), and every case's builds, started at
 * once and run through two bounded pools so that tests only wait for what they compare.
 */
export class ConformanceHarness {
  readonly baseImage: string;
  private readonly results = new Map<string, Promise<CaseResult>>();
  private readonly docker = new DockerBuilder();
  private readonly berth: BerthBuilder;
  private readonly runId = `${process.pid}-${randomBytes(3).toString('hex')}`;
  baseViews?: { docker: ImageView; berth: ImageView };

  private constructor(private readonly root: string) {
    this.berth = new BerthBuilder(path.join(root, 'berth-data'));
    this.baseImage = `berth-conformance-busybox:${this.runId}`;
  }

  static async start(cases: ConformanceCase[], options: HarnessOptions): Promise<ConformanceHarness> {
    const harness = new ConformanceHarness(await fs.mkdtemp(path.join(os.tmpdir(), 'berth-conformance-')));
    try {
      await harness.prepareBase();
      harness.schedule(cases, options);
      return harness;
    } catch (error) {
      await harness.dispose();
      throw error;
    }
  }

  result(kase: ConformanceCase): Promise<CaseResult> {
    const result = this.results.get(kase.name);
    if (!result) throw new Error(`case ${kase.name} was not scheduled`);
    return result;
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.results.values());
    await this.docker.removeImages();
    await fs.rm(this.root, { recursive: true, force: true });
  }

  /** The same busybox image on both sides: built by Berth from Debian's static busybox, saved, loaded into Docker. */
  private async prepareBase(): Promise<void> {
    const dir = path.join(this.root, 'base');
    const kase: ConformanceCase = {
      name: 'base',
      covers: 'the base image',
      dockerfile: 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY etc/ /etc/\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
      files: { busybox: { content: await fs.readFile('/bin/busybox'), mode: 0o755 }, 'etc/passwd': `${PASSWD}\n`, 'etc/group': `${GROUP}\n` },
    };
    await fs.mkdir(dir, { recursive: true });
    await writeContext(kase, dir, this.baseImage);
    const built = await this.berth.build(kase, dir, this.baseImage);
    if (!built.image) throw new Error(`berth could not build the base image:\n${built.log}`);
    const archive = path.join(this.root, 'base.tar');
    await this.berth.saveToFile(this.baseImage, archive);
    await this.docker.load(archive, this.baseImage);
    this.baseViews = { berth: built.image, docker: await viewOf(await this.docker.save(this.baseImage)) };
  }

  private schedule(cases: ConformanceCase[], options: HarnessOptions): void {
    const dockerPool = new TaskPool(options.dockerConcurrency);
    const berthPool = new TaskPool(options.berthConcurrency);
    for (const kase of cases) {
      const context = this.writeContext(kase);
      context.catch(() => undefined); // reported through the builds that await it
      const image = `berth-conformance-${this.runId}:${kase.name}`;
      const docker = kase.expected ? undefined : dockerPool.run(async () => this.docker.build(kase, await context, image));
      const berth = berthPool.run(async () => this.berth.build(kase, await context, image));
      const result = Promise.all([docker, berth]).then(([d, b]) => ({ docker: d, berth: b }));
      result.catch(() => undefined); // awaited by the case's test; this only avoids an early unhandled rejection
      this.results.set(kase.name, result);
    }
  }

  private async writeContext(kase: ConformanceCase): Promise<string> {
    const dir = path.join(this.root, 'contexts', kase.name);
    await fs.mkdir(dir, { recursive: true });
    await writeContext(kase, dir, this.baseImage);
    return dir;
  }
}
