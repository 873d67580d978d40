/**
 * Berth's registry (/v2/ of an api started in this process, as the registry tests start it)
 * against Debian's docker-registry (distribution 2.8, the reference implementation) on loopback:
 * skopeo pushes a busybox + 200 MiB random-layer image from an OCI layout on disk to each, then
 * pulls it back to a new OCI layout; a new image every round, which registry goes first
 * alternates, medians are compared. Run it with `node scripts/run-bench.js registry`.
 *
 * Why skopeo and OCI layouts: the layout already holds the gzipped layer, so skopeo streams the
 * bytes as they are (push) or writes them as they come (pull), only hashing on the way. `docker
 * push` would first gzip the 200 MiB in its daemon, and `docker pull` gunzip and unpack it into
 * overlay2: seconds of client work that would dwarf and blur the registries' own difference.
 *
 * Environment: BENCH_ROUNDS (counted rounds, default 15), BENCH_WARMUP (uncounted, default 1),
 * BENCH_LAYER_MIB (size of the random layer, default 200), BENCH_WORKDIR (parent of the client's
 * temp dir, default /dev/shm or else the system's temp dir; the registries' storage is always in
 * the system's temp dir, on disk).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../builder/process';
import { writeSummary } from '../builder/report';
import { makeBaseLayer } from './oci-image';
import { printResults, summaryRows } from './report';
import { runRounds, Skopeo, SKOPEO } from './rounds';
import { BenchTarget, startBerth, startReference } from './targets';
import { wholeNumberOption } from '../builder/options';

interface Options {
  rounds: number;
  warmup: number;
  layerBytes: number;
}

function readOptions(): Options {
  return { rounds: wholeNumberOption('BENCH_ROUNDS', 15, 1), warmup: wholeNumberOption('BENCH_WARMUP', 1, 0), layerBytes: wholeNumberOption('BENCH_LAYER_MIB', 200, 1) * 1024 * 1024 };
}

async function preflight(): Promise<string | null> {
  for (const binary of [SKOPEO, '/usr/bin/docker-registry', '/usr/bin/perl']) {
    if (!fs.existsSync(binary)) return `${binary} is missing; run scripts/bootstrap`;
  }
  const version = await runCommand(SKOPEO, ['--version']);
  console.log(`client: ${version.stdout.trim()}; reference: /usr/bin/docker-registry; berth: api in this process (node ${process.version})`);
  return null;
}

async function measure(workDir: string, targets: BenchTarget[], options: Options): Promise<void> {
  const base = await makeBaseLayer(`berth-bench-${path.basename(workDir)}`);
  const skopeo = new Skopeo(path.join(workDir, 'auth.json'));
  for (const target of targets) console.log(`${target.label.padEnd(9)} ${target.registry.url}/v2/`);
  console.log(`image: busybox (${(base.size / 1024).toFixed(0)} KiB) + ${options.layerBytes / 1024 / 1024} MiB random layer, new each round; workspace ${workDir}\n`);
  console.log(loadAverage('at start'));
  const runs = await runRounds(workDir, targets, base, skopeo, options);
  console.log(loadAverage('at end'));
  const imageBytes = base.size + options.layerBytes;
  printResults(runs, imageBytes);
  writeSummary('registry', summaryRows(runs, imageBytes));
}

/** Other work on this machine shows up as noise in the rounds; the load says how much there was. */
function loadAverage(when: string): string {
  return `load average ${when}: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} (${os.cpus().length} cores)`;
}

/**
 * The client's side (the image skopeo pushes, the layouts it pulls into) lives in RAM when the
 * machine has /dev/shm: skopeo's own disk writes were the largest noise in the rounds, and they
 * are the same work for both registries. Each registry's storage stays on disk (the system's
 * temp dir), since storing blobs is the work being compared.
 */
function clientWorkParent(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

async function main(): Promise<number> {
  const options = readOptions();
  const problem = await preflight();
  if (problem !== null) {
    console.error(`bench registry: ${problem}`);
    return 1;
  }
  const parent = process.env.BENCH_WORKDIR || clientWorkParent();
  const workDir = await fsp.mkdtemp(path.join(parent, `berth-bench-registry-${randomBytes(2).toString('hex')}-`));
  const targets: BenchTarget[] = [];
  let cleanup: Promise<void> | undefined;
  const cleanUp = () =>
    (cleanup ??= (async () => {
      for (const target of targets.splice(0)) await target.registry.stop().catch((error: Error) => console.error(`cleanup: stopping ${target.label}: ${error.message}`));
      await fsp.rm(workDir, { recursive: true, force: true });
    })());
  // `on`, not `once`: Berth's api (Nest) stops itself on the signal, then raises it again.
  const interrupted = () => cleanup === undefined && void cleanUp().finally(() => process.exit(130));
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    targets.push(await startBerth());
    targets.push(await startReference());
    await measure(workDir, targets, options);
    return 0;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`bench registry: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  },
);
