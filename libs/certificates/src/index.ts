export { CertificatesModule } from './certificates.module';
export { CertificateStore, CertificateSummary, ServableCertificate } from './certificate-store';
export { CertificateManager } from './certificate-manager';
export { CertificateStatus } from './renewal-policy';
export { certificatesChannel } from './certificate-events';
