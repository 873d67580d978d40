import { DomainError } from '@berth/errors';

export enum SecretsErrorCode {
  /** A sealed value that this installation's master key cannot open (edited, or another key). */
  SecretUnreadable = 'secret_unreadable',
  /** The master key file exists but does not hold a usable key. */
  MasterKeyInvalid = 'master_key_invalid',
}

export class SecretsError extends DomainError<SecretsErrorCode> {
  readonly domain = 'secrets';
}
