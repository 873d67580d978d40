import https from 'node:https';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { httpServerOptions, RouterServer } from '../router.server';
import { CertificateCache } from './certificate-cache';

/**
 * HTTPS on BERTH_ROUTER_TLS_PORT with the plain router's own request handler. The certificate
 * is chosen by SNI; a name without a certificate (or no SNI at all) fails the handshake:
 * serving some other name's certificate would only trade one error for another.
 */
@Injectable()
export class TlsRouterServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TlsRouterServer.name);
  private server?: https.Server;

  constructor(
    private readonly router: RouterServer,
    private readonly certificates: CertificateCache,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.router.tlsPort;
    if (port === undefined) return;
    const server = https.createServer(
      {
        // The same limits as the plain server: a client is not treated differently for using TLS.
        ...httpServerOptions(this.config.router.limits),
        SNICallback: (servername, done) => {
          const context = this.certificates.lookup(servername);
          done(context ? null : new Error(`no certificate for ${servername}`), context);
        },
      },
      (request, response) => this.router.handle(request, response),
    );
    server.on('tlsClientError', () => undefined);
    this.router.attach(server);
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
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
