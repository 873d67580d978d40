import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { RouterServer } from '../router.server';
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
    const limits = this.config.router.limits;
    const server = https.createServer(
      {
        // The same limits as the plain server: a client is not treated differently for using TLS.
        maxHeaderSize: limits.maxHeaderBytes,
        headersTimeout: limits.headerTimeoutMs,
        requestTimeout: 0,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, limits.headerTimeoutMs),
        noDelay: true,
        SNICallback: (servername, done) => {
          const context = this.certificates.lookup(servername);
          done(context ? null : new Error(`no certificate for ${servername}`), context);
        },
      },
      (request, response) => this.router.handle(request, response),
    );
    server.maxConnections = limits.maxConnections;
    server.on('tlsClientError', () => undefined);
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => this.router.clientError(error, socket as net.Socket));
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.router.upgrade(request, socket as net.Socket, head));
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
