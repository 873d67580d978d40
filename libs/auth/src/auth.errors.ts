import { DomainError } from '@berth/errors';

export enum AuthErrorCode {
  MissingToken = 'missing_token',
  InvalidToken = 'invalid_token',
  Forbidden = 'forbidden',
}

export class AuthError extends DomainError<AuthErrorCode> {
  readonly domain = 'auth';
}
