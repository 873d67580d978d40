import { httpGet, PlainResponse } from '../../test/support/http';
import { freePort } from '../../test/support/test-env';
import { DockerBuilder } from '../builder/builders';
import { RunResult } from '../builder/process';
import { indexHtml, writeRevision } from './site';

/** How often the by-hand flow asks the new container whether it answers yet. */
const READY_POLL_MS = 50;
const READY_TIMEOUT_MS = 30_000;

export interface DockerDeploy {
  seconds: number;
  /** The parts: docker build, docker run -d, waiting until GET / answers, docker rm -f of the old one. */
  build: number;
  run: number;
  ready: number;
  remove: number;
}

/**
 * The same deploy by hand: `docker build` (BuildKit, --network host) of the work tree, `docker
 * run -d --network host` on a new port, wait until it answers, `docker rm -f` the old container.
 */
export class DockerSide {
  /** Every container this bench started; each is removed in its round or at cleanup. */
  readonly containers = new Set<string>();
  private current: { name: string; port: number } | null = null;
  private deploys = 0;

  constructor(
    private readonly docker: DockerBuilder,
    private readonly context: string,
    private readonly tag: string,
    private readonly label: string,
  ) {}

  /** Builds and swaps in `revision`; everything after the edit of index.html is timed. */
  async deploy(revision: number): Promise<DockerDeploy> {
    await writeRevision(this.context, revision);
    const started = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - started) / 1e9;
    const build = (await this.docker.build(this.context, this.tag, { noCache: false })).seconds;
    const port = await freePort();
    const name = `${this.label}-${++this.deploys}`;
    this.containers.add(name);
    const run = await this.checked(['run', '-d', '--network', 'host', '-e', `PORT=${port}`, '--name', name, '--label', `berth-bench=${this.label}`, this.tag]);
    const readyStarted = since();
    const page = await waitUntilAnswering(port);
    const ready = since() - readyStarted;
    const remove = this.current ? (await this.removeContainer(this.current.name)).seconds : 0;
    const seconds = since();
    this.current = { name, port };
    if (page.body !== indexHtml(revision)) throw new Error(`docker: the new container answered ${JSON.stringify(page.body.slice(0, 200))}, not revision ${revision}`);
    return { seconds, build, run: run.seconds, ready, remove };
  }

  /** Removes the containers still there; answers what went wrong. */
  async removeAll(): Promise<string[]> {
    const problems: string[] = [];
    for (const name of this.containers) {
      const result = await this.removeContainer(name);
      if (result.code !== 0 && !/No such container/i.test(result.stderr)) problems.push(`docker rm -f ${name}: ${result.stderr.trim()}`);
    }
    return problems;
  }

  private async removeContainer(name: string): Promise<RunResult> {
    const result = await this.docker.run(['rm', '-f', name]);
    if (result.code === 0) this.containers.delete(name);
    return result;
  }

  private async checked(args: string[]): Promise<RunResult> {
    const result = await this.docker.run(args);
    if (result.code !== 0) throw new Error(`docker ${args.slice(0, 2).join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
    return result;
  }
}

/** Polls GET / on the container's port until it answers below 500, as the health check does. */
async function waitUntilAnswering(port: number): Promise<PlainResponse> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const response = await httpGet(port, `127.0.0.1:${port}`).catch(() => null);
    if (response !== null && response.status < 500) return response;
    if (Date.now() > deadline) throw new Error(`docker: nothing answered on port ${port} within ${READY_TIMEOUT_MS / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}
