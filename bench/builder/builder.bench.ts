/**
 * Berth's builder against Docker's (BuildKit, dockerd at /var/run/docker.sock, /usr/bin/docker),
 * side by side on one context, alternating berth and docker: (a) cold build, (b) rebuild with
 * nothing changed, (c) rebuild after one source file changed; then a COPY of a 1 GiB file with
 * the berth process's peak RSS. Run it through `npm run bench`; needs root, loopback only.
 * Both sides build through a warm daemon, as users run them: `docker build` through dockerd,
 * `berth build` through the build daemon its first build (the warm-up round) starts. The big
 * COPY builds in the `berth build` process itself (BERTH_BUILD_DAEMON=off), whose RSS is sampled.
 *
 * Environment: BENCH_COLD (no-cache, the default: --no-cache on a kept data dir, as Docker; or
 * fresh: a new BERTH_DATA_DIR per round, see ColdMode), BENCH_ROUNDS (counted rounds, default 5), BENCH_WARMUP (uncounted, default 1),
 * BENCH_BIG_COPY_MIB (size of the big file, default 1024; 0 skips it), BENCH_WORKDIR (where the
 * temp dir goes; default $BERTH_DATA_DIR/tmp, i.e. .berth/tmp).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runBigCopy } from './big-copy';
import { BERTH_BIN, BerthBuilder, DockerBuilder, dockerVersion } from './builders';
import { bigCopyRow, printBigCopy, printScenarioTable, scenarioRows, SummaryRow, writeSummary } from './report';
import { ColdMode, runRounds } from './scenarios';
import { cleanUp, createWorkspace, prepare, Workspace } from './workspace';
import { wholeNumberOption } from './options';

interface BenchOptions {
  cold: ColdMode;
  rounds: number;
  warmup: number;
  bigCopyBytes: number;
}

function readOptions(): BenchOptions {
  const cold = process.env.BENCH_COLD || 'no-cache';
  if (cold !== 'no-cache' && cold !== 'fresh') throw new Error(`BENCH_COLD=${cold}: expected no-cache or fresh`);
  return { cold, rounds: wholeNumberOption('BENCH_ROUNDS', 5, 1), warmup: wholeNumberOption('BENCH_WARMUP', 1, 0), bigCopyBytes: wholeNumberOption('BENCH_BIG_COPY_MIB', 1024, 0) * 1024 * 1024 };
}

async function preflight(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'needs root: berth build mounts overlays and runs runc';
  if (!fs.existsSync(path.resolve(BERTH_BIN, '../../dist/apps/cli/src/main.js'))) return 'Berth is not built; run scripts/bootstrap';
  const version = await dockerVersion();
  if (version === null) return 'Docker Engine does not answer at /var/run/docker.sock (start it with scripts/bootstrap)';
  console.log(`docker: /usr/bin/docker, dockerd ${version}, DOCKER_BUILDKIT=1; berth: ${BERTH_BIN}; node ${process.version}`);
  return null;
}

async function measure(ws: Workspace, berth: BerthBuilder, docker: DockerBuilder, options: BenchOptions): Promise<SummaryRow[]> {
  await prepare(ws, berth, docker);
  const coldHow = options.cold === 'fresh' ? 'a fresh BERTH_DATA_DIR per round' : '--no-cache on a kept data dir';
  console.log(`workspace: ${ws.root}; base image ${ws.baseTag} in both stores; cold: docker --no-cache, berth ${coldHow}\n`);
  const results = await runRounds(ws, berth, docker, { cold: options.cold, rounds: options.rounds, warmup: options.warmup });
  printScenarioTable(results, options.rounds);
  const rows = scenarioRows(results);
  if (options.bigCopyBytes > 0) {
    console.log(`\nCOPY of a ${options.bigCopyBytes / 1024 / 1024} MiB file with Berth (generating it first)...`);
    const big = await runBigCopy(ws, berth, options.bigCopyBytes);
    printBigCopy(big);
    rows.push(bigCopyRow(big));
  }
  return rows;
}

async function main(): Promise<number> {
  const options = readOptions();
  const problem = await preflight();
  if (problem !== null) {
    console.error(`bench builder: ${problem}`);
    return 1;
  }
  const ws = await createWorkspace();
  const berth = new BerthBuilder();
  const docker = new DockerBuilder(ws.root);
  const interrupted = () => void cleanUp(ws, docker).finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    writeSummary('builder', await measure(ws, berth, docker, options));
    return 0;
  } finally {
    const problems = await cleanUp(ws, docker);
    for (const line of problems) console.error(`cleanup: ${line}`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`bench builder: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  },
);
