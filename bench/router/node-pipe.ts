/**
 * The ceiling of any proxy whose bytes pass through Node's sockets: each client connection gets
 * its own connection to the app and bytes are copied both ways as they come, with no HTTP
 * parsing, no routing, no headers added. Not a proxy anyone should run (it cannot route, retry,
 * drain or limit anything); the router bench runs it beside Berth and nginx so the report shows
 * how much of the gap to nginx is Node's socket path itself rather than the router's work.
 * Usage: node node-pipe.js LISTEN_PORT UPSTREAM_PORT
 */
import net from 'node:net';

function main(): void {
  const [listenPort, upstreamPort] = process.argv.slice(2).map(Number);
  if (!listenPort || !upstreamPort) throw new Error('usage: node-pipe LISTEN_PORT UPSTREAM_PORT');
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(listenPort, '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}

main();
