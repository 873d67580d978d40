/**
 * Push-to-live of a one-line change to a busybox-httpd site: `git push` to a Berth stack started
 * as the e2e tests start one (api, worker and router in this process), from the push's start
 * until it returns, when the router serves the new page (checked right after); next to the same
 * deploy by hand with Docker: `docker build` (BuildKit, --network host) of the work tree, `docker
 * run -d --network host` on a new port, wait until it answers, `docker rm -f` the old container.
 * A first deploy on each side, then rounds alternating which side goes first; medians.
 * Run it with `node scripts/run-bench.js push`; needs root (Berth's builder) and dockerd.
 *
 * Environment: BENCH_ROUNDS (counted rounds, default 15), BENCH_WARMUP (uncounted, default 1),
 * BENCH_WORKDIR (temp dir parent, default the system's).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DockerBuilder, dockerVersion } from '../builder/builders';
import { listBuildCache, pruneRecords, recordsOfRun } from '../builder/docker-cache';
import { writeSummary } from '../builder/report';
import { BerthSide } from './berth-side';
import { DockerSide } from './docker-side';
import { printResults, RoundResult, summaryRows } from './report';
import { wholeNumberOption } from '../builder/options';

interface Options {
  rounds: number;
  warmup: number;
}

/** Everything one run creates, named uniquely, so cleanup removes exactly that. */
interface Run {
  root: string;
  siteDir: string;
  app: string;
  baseRef: string;
  siteTag: string;
  marker: string;
  docker: DockerBuilder;
  cacheBefore: Set<string>;
  berth?: BerthSide;
  byHand?: DockerSide;
  /** Set by Ctrl-C or SIGTERM: no new round starts. */
  stopping?: boolean;
  cleanup?: Promise<string[]>;
}

function readOptions(): Options {
  return { rounds: wholeNumberOption('BENCH_ROUNDS', 15, 1), warmup: wholeNumberOption('BENCH_WARMUP', 1, 0) };
}

async function preflight(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'needs root: Berth\'s builder mounts overlays and runs runc';
  const version = await dockerVersion();
  if (version === null) return 'Docker Engine does not answer at /var/run/docker.sock (start it with scripts/bootstrap)';
  console.log(`berth: api + worker + router in this process (node ${process.version}); by hand: /usr/bin/docker, dockerd ${version}, DOCKER_BUILDKIT=1`);
  return null;
}

async function createRun(): Promise<Run> {
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const root = await fs.mkdtemp(path.join(process.env.BENCH_WORKDIR || os.tmpdir(), 'berth-bench-push-'));
  return {
    root,
    siteDir: path.join(root, 'site'),
    app: `bench-${randomBytes(3).toString('hex')}`,
    baseRef: `berth-bench-push-base:${id}`,
    siteTag: `berth-bench-push-site:${id}`,
    marker: `berth-bench-push-${id}`,
    docker: new DockerBuilder(root),
    cacheBefore: new Set(),
  };
}

async function prepare(run: Run): Promise<{ berth: BerthSide; byHand: DockerSide }> {
  const berth = (run.berth = await BerthSide.open(run.app, run.siteDir));
  await berth.prepare(run.baseRef, run.marker);
  run.cacheBefore = new Set((await listBuildCache(run.docker)).map((record) => record.ID));
  await berth.loadBaseInto(run.docker, run.baseRef, path.join(run.root, 'base.tar'));
  await berth.start();
  const byHand = (run.byHand = new DockerSide(run.docker, run.siteDir, run.siteTag, run.marker));
  const firstPush = await berth.push(1);
  const firstDocker = await byHand.deploy(1);
  console.log(`first deploy (cold caches): berth ${firstPush.seconds.toFixed(2)}s, by hand ${firstDocker.seconds.toFixed(2)}s\n`);
  return { berth, byHand };
}

async function measure(run: Run, options: Options): Promise<RoundResult[]> {
  const { berth, byHand } = await prepare(run);
  console.log(loadAverage('at start'));
  const counted: RoundResult[] = [];
  for (let round = 0; round < options.warmup + options.rounds; round++) {
    if (run.stopping) throw new Error('interrupted');
    const revision = round + 2;
    const berthFirst = round % 2 === 0;
    const result = {} as RoundResult;
    if (berthFirst) result.berth = await berth.push(revision);
    result.docker = await byHand.deploy(revision);
    if (!berthFirst) result.berth = await berth.push(revision);
    const label = round < options.warmup ? `warm-up ${round + 1}/${options.warmup}` : `round ${round - options.warmup + 1}/${options.rounds}`;
    console.log(`${label.padEnd(12)} berth ${result.berth.seconds.toFixed(2)}s | by hand ${result.docker.seconds.toFixed(2)}s (${berthFirst ? 'berth' : 'docker'} first)`);
    if (round >= options.warmup) counted.push(result);
  }
  console.log(loadAverage('at end'));
  return counted;
}

/** Other work on this machine shows up as noise in the rounds; the load says how much there was. */
function loadAverage(when: string): string {
  return `load average ${when}: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} (${os.cpus().length} cores)`;
}

/** Containers, the app, Berth's database and data dir, images Berth pulled, our images and build cache, the temp dir. */
async function cleanUp(run: Run): Promise<string[]> {
  const problems = (await run.byHand?.removeAll()) ?? [];
  const repository = run.berth?.imageRepository ?? null;
  if (run.berth) problems.push(...(await run.berth.dispose()));
  // Berth's containers when the app could not be deleted (interrupted), and ours started meanwhile.
  for (const label of [`berth.app=${run.app}`, `berth-bench=${run.marker}`]) {
    const leftovers = await run.docker.run(['ps', '-aq', '--filter', `label=${label}`]);
    for (const id of leftovers.stdout.split('\n').filter(Boolean)) await run.docker.run(['rm', '-f', id]);
  }
  const pulled = repository ? await run.docker.run(['images', '--filter', `reference=${repository}`, '--format', '{{.Repository}}:{{.Tag}}']) : null;
  const pulledTags = pulled?.stdout.split('\n').filter(Boolean) ?? [];
  problems.push(...(await run.docker.removeImages([run.siteTag, ...pulledTags, run.baseRef])));
  try {
    problems.push(...(await pruneRecords(run.docker, recordsOfRun(run.cacheBefore, await listBuildCache(run.docker), run.marker))));
  } catch (error) {
    problems.push(`listing Docker's build cache: ${(error as Error).message}`);
  }
  await fs.rm(run.root, { recursive: true, force: true }).catch((error: Error) => problems.push(`removing ${run.root}: ${error.message}`));
  return problems;
}

async function main(): Promise<number> {
  const options = readOptions();
  const problem = await preflight();
  if (problem !== null) {
    console.error(`bench push: ${problem}`);
    return 1;
  }
  const run = await createRun();
  const cleanUpOnce = () => (run.cleanup ??= cleanUp(run));
  // `on`, not `once`: the stack's Nest apps stop themselves on the signal, then raise it again.
  const interrupted = () => {
    if (run.stopping) return;
    run.stopping = true;
    void cleanUpOnce().then(report).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    const results = await measure(run, options);
    printResults(results);
    writeSummary('push', summaryRows(results));
    return 0;
  } finally {
    report(await cleanUpOnce());
  }
}

function report(problems: string[]): void {
  for (const line of problems) console.error(`cleanup: ${line}`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`bench push: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  },
);
