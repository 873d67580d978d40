import tls from 'node:tls';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { LISTENER_OPTIONS, RouterServer, SHUTDOWN_WAIT_MS } from '../router.server';
import { CertificateCache } from './certificate-cache';

/**
 * HTTPS on BERTH_ROUTER_TLS_PORT: TLS sockets handed to the plain router's own HTTP/1.1 server
 * (same limits, handler and upgrades). The certificate is chosen by SNI; a name without a
 * certificate (or no SNI at all) fails the handshake: serving some other name's certificate
 * would only trade one error for another.
 */
@Injectable()
export class TlsRouterServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TlsRouterServer.name);
  private server?: tls.Server;

  constructor(
    private readonly router: RouterServer,
    private readonly certificates: CertificateCache,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.router.tlsPort;
    if (port === undefined) return;
    const server = tls.createServer({
      ...LISTENER_OPTIONS,
      ALPNProtocols: ['http/1.1'],
      SNICallback: (servername, done) => {
        const context = this.certificates.lookup(servername);
        done(context ? null : new Error(`no certificate for ${servername}`), context);
      },
    });
    server.on('secureConnection', (socket) => this.router.http.accept(socket));
    server.on('tlsClientError', () => undefined);
    this.router.listener(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '0.0.0.0', () => resolve());
    });
    this.server = server;
    this.logger.log(`router listening on https://0.0.0.0:${port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    // The connections are the router's HTTP server's.
    await this.router.http.shutDown(new Promise<void>((resolve) => server.close(() => resolve())), SHUTDOWN_WAIT_MS);
  }
}
