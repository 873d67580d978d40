/**
 * Berth's router as the bench runs it: the real RouterServer (the code path of `berth router`)
 * with a static route table, in a process of its own, so wrk measures the proxy path alone and
 * not Postgres. Usage: node router-process.js LISTEN_PORT UPSTREAM_PORT [WORKERS]
 * With WORKERS > 1, node:cluster forks that many router processes sharing the port.
 */
import cluster from 'node:cluster';
import { loadConfig } from '@berth/config';
import { InFlightRequests, Route, RouterServer, RouteTable } from '@berth/router';
import { superviseRouterWorkers } from '../../apps/router/src/router-workers';

export const BENCH_APP = 'bench';

async function serve(listenPort: number, upstreamPort: number): Promise<void> {
  const base = loadConfig({ BERTH_LOG_LEVEL: 'silent' });
  const config = { ...base, router: { ...base.router, port: listenPort } };
  const route: Route = { app: BENCH_APP, upstreams: [{ port: upstreamPort }], maxBodyBytes: null };
  const table = { lookup: (key: string) => (key === BENCH_APP ? route : undefined) } as unknown as RouteTable;
  // No TLS in the bench: no ACME challenges to answer, no HTTPS redirects.
  const noTls = { answerChallenge: () => false, redirectToHttps: () => false } as unknown as ConstructorParameters<typeof RouterServer>[3];
  const server = new RouterServer(table, new InFlightRequests(config), config, noTls);
  await server.onApplicationBootstrap();
  process.on('SIGTERM', () => void server.onApplicationShutdown().then(() => process.exit(0)));
  process.on('SIGINT', () => void server.onApplicationShutdown().then(() => process.exit(0)));
}

function main(): void {
  const [listenPort, upstreamPort, workers] = process.argv.slice(2).map(Number);
  if (!listenPort || !upstreamPort) throw new Error('usage: router-process LISTEN_PORT UPSTREAM_PORT [WORKERS]');
  // The same supervision as `berth router` with BERTH_ROUTER_WORKERS.
  if ((workers || 1) > 1 && cluster.isPrimary) return superviseRouterWorkers(workers, console.error);
  serve(listenPort, upstreamPort).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

main();
