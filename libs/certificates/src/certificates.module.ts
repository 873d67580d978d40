import { DynamicModule, Module, Provider } from '@nestjs/common';
import { BerthConfig } from '@berth/config';
import { SecretBoxFactory, SecretsModule } from '@berth/secrets';
import { AcmeHttpIssuer, CERTIFICATE_ISSUER } from './acme-issuer';
import { CERTIFICATE_NOTIFIER, CertificateManager, CLOCK } from './certificate-manager';
import { CERTIFICATE_SECRET_BOX, CertificateStore } from './certificate-store';
import { RedisCertificateNotifier } from './redis-notifier';

/**
 * The certificate store for every process (api: status; router: serving; worker: issuing);
 * `issuer: true` adds the ACME issuer and the manager that runs it (the worker's part).
 */
@Module({})
export class CertificatesModule {
  static forRoot(config: BerthConfig, options: { issuer: boolean }): DynamicModule {
    const providers: Provider[] = [
      { provide: CERTIFICATE_SECRET_BOX, inject: [SecretBoxFactory], useFactory: (boxes: SecretBoxFactory) => boxes.forPurpose('berth/certificates') },
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
    return { module: CertificatesModule, imports: [SecretsModule], providers, exports: options.issuer ? [CertificateStore, CertificateManager] : [CertificateStore] };
  }
}
