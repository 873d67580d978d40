import fs from 'node:fs/promises';
import https from 'node:https';
import { Logger } from '@nestjs/common';
import * as acme from 'acme-client';
import { BerthConfig } from '@berth/config';
import { CertificateStore } from './certificate-store';

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

/** Orders one certificate for one hostname from a CA. */
export interface CertificateIssuer {
  issue(hostname: string): Promise<IssuedCertificate>;
}

export const CERTIFICATE_ISSUER = Symbol('CERTIFICATE_ISSUER');

/**
 * ACME with http-01 through acme-client: the key authorization goes to the database, where
 * every router finds it when the CA's validator asks `/.well-known/acme-challenge/TOKEN`.
 * http-01 cannot prove a wildcard, so wildcard domains never come here.
 */
export class AcmeHttpIssuer implements CertificateIssuer {
  private readonly logger = new Logger(AcmeHttpIssuer.name);

  constructor(
    private readonly store: CertificateStore,
    private readonly acmeConfig: BerthConfig['acme'],
  ) {}

  async issue(hostname: string): Promise<IssuedCertificate> {
    if (hostname.startsWith('*.')) throw new Error(`${hostname} is a wildcard: http-01 cannot prove it, so Berth issues no certificate for it`);
    await this.trustCaBundle();
    const client = await this.client();
    const [key, csr] = await acme.crypto.createCsr({ commonName: hostname, altNames: [hostname] }, await acme.crypto.createPrivateEcdsaKey());
    const certPem = await client.auto({
      csr,
      challengePriority: ['http-01'],
      // The CA checks for real; a local pre-check from the worker would need the public DNS
      // and port 80 to reach this machine from itself, which is not true behind most NATs.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => this.store.putChallenge(challenge.token, hostname, keyAuthorization),
      challengeRemoveFn: async (_authz, challenge) => this.store.removeChallenge(challenge.token),
    });
    const info = acme.crypto.readCertificateInfo(certPem);
    this.logger.log(`certificate for ${hostname} issued, valid until ${info.notAfter.toISOString()}`);
    return { certPem, keyPem: key.toString(), notAfter: info.notAfter };
  }

  /**
   * The account key is kept; the account itself is looked up at each order (one request) and
   * registered when the CA does not know it: a CA that lost its state (pebble restarted, a new
   * directory) gets a new registration instead of failing every order. Asking with
   * `onlyReturnExisting` also avoids acme-client's empty account update, which servers refuse.
   */
  private async client(): Promise<acme.Client> {
    const { directoryUrl, email } = this.acmeConfig;
    const accountKey = await this.store.accountKey(directoryUrl, async () => (await acme.crypto.createPrivateEcdsaKey()).toString());
    const client = new acme.Client({ directoryUrl, accountKey });
    try {
      await client.createAccount({ onlyReturnExisting: true });
    } catch {
      await client.createAccount({ termsOfServiceAgreed: true, contact: email ? [`mailto:${email}`] : undefined });
    }
    return client;
  }

  /**
   * acme-client talks through its own axios instance; a private CA (a test's pebble) is
   * trusted for the ACME API only, never for anything else this process connects to. Read at
   * each order, so replacing the file needs no restart.
   */
  private async trustCaBundle(): Promise<void> {
    if (!this.acmeConfig.caBundlePath) return;
    acme.axios.defaults.httpsAgent = new https.Agent({ ca: await fs.readFile(this.acmeConfig.caBundlePath) });
  }
}
