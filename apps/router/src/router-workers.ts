import cluster, { Worker } from 'node:cluster';

const RESTART_DELAY_MS = 1000;

/**
 * The primary of BERTH_ROUTER_WORKERS router processes sharing the router port (node:cluster;
 * the kernel spreads connections). Each worker is a whole router with its own route table and
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
