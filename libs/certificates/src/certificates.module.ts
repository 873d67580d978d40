import { DynamicModule, Module, Provider } from '@nestjs/common';
import { BerthConfig } from '@berth/config';
import { AcmeHttpIssuer, CERTIFICATE_ISSUER } from './acme-issuer';
import { CERTIFICATE_NOTIFIER, CertificateManager, CLOCK } from './certificate-manager';
import { CertificateStore } from './certificate-store';
import { RedisCertificateNotifier } from './redis-notifier';
import { AesGcmSecretBox, certificateKeyPath, loadOrCreateKey, SECRET_BOX } from './secret-box';

/**
 * The certificate store for every process (api: status; router: serving; worker: issuing);
 * `issuer: true` adds the ACME issuer and the manager that runs it (the worker's part).
 */
@Module({})
export class CertificatesModule {
  static forRoot(config: BerthConfig, options: { issuer: boolean }): DynamicModule {
    const providers: Provider[] = [
      { provide: SECRET_BOX, useFactory: async () => new AesGcmSecretBox(await loadOrCreateKey(certificateKeyPath(config.dataDir))) },
      CertificateStore,
    ];
    if (options.issuer) {
      providers.push(
        { provide: CERTIFICATE_ISSUER, inject: [CertificateStore], useFactory: (store: CertificateStore) => new AcmeHttpIssuer(store, config.acme) },
        { provide: CERTIFICATE_NOTIFIER, useClass: RedisCertificateNotifier },
        { provide: CLOCK, useValue: () => new Date() },
        CertificateManager,
      );
    }
    return { module: CertificatesModule, providers, exports: options.issuer ? [CertificateStore, CertificateManager] : [CertificateStore] };
  }
}
