import cluster, { Worker } from 'node:cluster';
import os from 'node:os';

const RESTART_DELAY_MS = 1000;

/**
 * How many router processes to run: 'auto' is one per core, as nginx's `worker_processes auto`
 * (on bench/router, 2 cores: one process per core on each side 0.81-0.95x nginx's requests, one
 * process each 0.67-0.83x).
 */
export function routerWorkerCount(workers: number | 'auto' | undefined, cores = os.availableParallelism()): number {
  if (workers === 'auto') return Math.max(1, Math.min(64, cores));
  return workers ?? 1;
}

/**
 * The primary of BERTH_ROUTER_WORKERS router processes sharing the router port (node:cluster;
 * the primary hands accepted connections to the workers in turn). Each worker is a whole router with its own route table and
 * route-sync identity, so the deployer waits for every worker's drain acknowledgement. A worker
 * that dies is replaced; SIGTERM/SIGINT stop the workers gracefully, then the primary.
 */
export function superviseRouterWorkers(count: number, log: (line: string) => void): void {
  let stopping = false;
  const start = (): Worker => {
    const worker = cluster.fork();
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      log(`router worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
      setTimeout(start, RESTART_DELAY_MS);
    });
    return worker;
  };
  for (let i = 0; i < count; i++) start();
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const worker of workers) {
      worker.once('exit', () => --left === 0 && process.exit(0));
      worker.process.kill('SIGTERM');
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
