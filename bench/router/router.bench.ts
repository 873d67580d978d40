/**
 * Berth's router against nginx (Debian's nginx-light) in front of the same app instance, on
 * loopback: rounds alternate which proxy goes first, wrk (Debian's, one thread) drives each for
 * the same time with the same connections, medians are compared. The app instance is an nginx
 * answering a fixed ~100-byte JSON, so neither proxy waits on a slow app. Berth's router is the
 * real RouterServer in a process of its own with a static route table (no database on the path).
 * A bare Node byte pipe (node-pipe.ts) runs in the same rounds, for reference only: it shows how
 * close to nginx any data path through Node's sockets can get on the machine at hand.
 * Run it with `node scripts/run-bench.js router`.
 *
 * Each side runs as it is configured out of the box on this machine: Berth's router with its
 * default BERTH_ROUTER_WORKERS (auto: one process per core), nginx with `worker_processes auto`
 * (Debian's default). The same rounds also run one process of each, reported for reference.
 *
 * Environment: BENCH_ROUNDS (counted rounds, default 5; this VM's run-to-run spread is ±10%), BENCH_SECONDS (per run, default 8),
 * BENCH_CONNECTIONS (wrk connections, default 32), BENCH_ROUTER_WORKERS (Berth router processes
 * via node:cluster, default: Berth's own default), BENCH_NGINX_WORKERS (nginx worker_processes,
 * default auto), BENCH_PROFILE (a directory: Berth's single-process router writes a --cpu-prof
 * profile there).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { median, SummaryRow, writeSummary } from '../builder/report';
import { loadConfig } from '@berth/config';
import { routerWorkerCount } from '../../apps/router/src/router-workers';
import { NGINX, Running, startApp, startBerthRouter, startNginxProxy, startNodePipe } from './servers';
import { runWrk, WRK, WrkResult } from './wrk';
import { wholeNumberOption } from '../builder/options';

const RPS_RATIO_TARGET = 0.8;
const P99_MARGIN_MS = 1;
const HOST = 'bench.localhost';
const WARM_UP_SECONDS = 5;

interface Options {
  rounds: number;
  seconds: number;
  connections: number;
  routerWorkers: number;
  nginxWorkers: string;
  profileDir?: string;
}

function readOptions(): Options {
  const nginxWorkers = process.env.BENCH_NGINX_WORKERS || 'auto';
  if (!/^(auto|[1-9]\d*)$/.test(nginxWorkers)) throw new Error(`BENCH_NGINX_WORKERS=${nginxWorkers}: expected a number or "auto"`);
  return {
    rounds: wholeNumberOption('BENCH_ROUNDS', 5, 1),
    seconds: wholeNumberOption('BENCH_SECONDS', 8, 1),
    connections: wholeNumberOption('BENCH_CONNECTIONS', 32, 1),
    routerWorkers: wholeNumberOption('BENCH_ROUTER_WORKERS', routerWorkerCount(loadConfig({}).router.workers), 1),
    nginxWorkers,
    profileDir: process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : undefined,
  };
}

function format(result: WrkResult): string {
  return `${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms${result.errors ? `  ERRORS ${result.errors}` : ''}`;
}

async function measure(proxies: Running[], options: Options): Promise<Map<string, WrkResult[]>> {
  const results = new Map<string, WrkResult[]>(proxies.map((proxy) => [proxy.label, []]));
  // Warm-up: pools filled, and Node's JIT done with the hot path (p99 of a router fresh from start was 2-3 ms higher).
  for (const proxy of proxies) await runWrk(proxy.port, HOST, WARM_UP_SECONDS, options.connections);
  for (let round = 1; round <= options.rounds; round++) {
    const order = round % 2 === 1 ? proxies : [...proxies].reverse();
    for (const proxy of order) {
      const result = await runWrk(proxy.port, HOST, options.seconds, options.connections);
      results.get(proxy.label)!.push(result);
      console.log(`round ${round}  ${proxy.label.padEnd(8)} ${format(result)}`);
    }
  }
  return results;
}

function summarize(results: Map<string, WrkResult[]>, options: Options): SummaryRow[] {
  const of = (label: string) => {
    const runs = results.get(label)!;
    return { rps: median(runs.map((r) => r.rps)), p99: median(runs.map((r) => r.p99Ms)), errors: runs.reduce((sum, r) => sum + r.errors, 0) };
  };
  const berth = of('berth');
  const nginx = of('nginx');
  const ratio = berth.rps / nginx.rps;
  const p99Gap = berth.p99 - nginx.p99;
  console.log(`\nmedians: berth ${berth.rps.toFixed(0)} req/s p99 ${berth.p99.toFixed(2)} ms; nginx ${nginx.rps.toFixed(0)} req/s p99 ${nginx.p99.toFixed(2)} ms`);
  console.log(`ratio berth/nginx: ${ratio.toFixed(2)}x requests per second; p99 berth - nginx: ${p99Gap.toFixed(2)} ms`);
  const pipe = of('pipe');
  if (results.has('berth-1')) {
    const [berth1, nginx1] = [of('berth-1'), of('nginx-1')];
    console.log(`for reference, one process each: berth ${berth1.rps.toFixed(0)} req/s p99 ${berth1.p99.toFixed(2)} ms; nginx ${nginx1.rps.toFixed(0)} req/s p99 ${nginx1.p99.toFixed(2)} ms; ratio ${(berth1.rps / nginx1.rps).toFixed(2)}x`);
  }
  console.log(`for reference, a bare Node byte pipe (no HTTP parsing, routing or headers; one app connection per client): ${pipe.rps.toFixed(0)} req/s = ${(pipe.rps / nginx.rps).toFixed(2)}x nginx, the ceiling of any data path through Node's sockets on this machine`);
  return [
    { metric: `router req/s (berth ${options.routerWorkers} process(es), nginx worker_processes ${options.nginxWorkers}): berth ${berth.rps.toFixed(0)} / nginx ${nginx.rps.toFixed(0)}`, value: `${ratio.toFixed(2)}x`, target: `>= ${RPS_RATIO_TARGET}x`, met: ratio >= RPS_RATIO_TARGET },
    { metric: `router p99: berth ${berth.p99.toFixed(2)} ms - nginx ${nginx.p99.toFixed(2)} ms`, value: `${p99Gap.toFixed(2)} ms`, target: `<= ${P99_MARGIN_MS} ms`, met: p99Gap <= P99_MARGIN_MS },
    { metric: 'router errors (socket errors + non-2xx), berth', value: String(berth.errors), target: '0', met: berth.errors === 0 },
  ];
}

async function main(): Promise<number> {
  const options = readOptions();
  for (const binary of [NGINX, WRK]) {
    if (!fs.existsSync(binary)) {
      console.error(`bench router: ${binary} is missing; run scripts/bootstrap`);
      return 1;
    }
  }
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-bench-router-'));
  const running: Running[] = [];
  try {
    const app = await startApp(workDir);
    running.push(app);
    const berth = await startBerthRouter(app.port, { workers: options.routerWorkers, profileDir: options.routerWorkers === 1 ? options.profileDir : undefined });
    const nginx = await startNginxProxy(workDir, app.port, options.nginxWorkers);
    const pipe = await startNodePipe(app.port);
    running.push(berth, nginx, pipe);
    // One process of each as well, for reference, when the configured ones are more.
    if (options.routerWorkers !== 1 || options.nginxWorkers !== '1') {
      running.push(await startBerthRouter(app.port, { workers: 1, profileDir: options.profileDir, label: 'berth-1' }));
      running.push(await startNginxProxy(workDir, app.port, '1', 'nginx-1'));
    }
    console.log(`app: nginx return 200 on :${app.port}; berth router :${berth.port} (${options.routerWorkers} process(es), node ${process.version}); nginx proxy :${nginx.port} (worker_processes ${options.nginxWorkers}); node byte pipe :${pipe.port}`);
    console.log(`wrk -t1 -c${options.connections} -d${options.seconds}s, ${options.rounds} rounds, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}\n`);
    const results = await measure(running.slice(1), options);
    writeSummary('router', summarize(results, options));
    return 0;
  } finally {
    for (const server of running.reverse()) await server.stop().catch(() => undefined);
    await fsp.rm(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench router: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
