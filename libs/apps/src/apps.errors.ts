import { DomainError } from '@berth/errors';

export enum AppsErrorCode {
  NotFound = 'app_not_found',
  AlreadyExists = 'app_exists',
  InvalidName = 'invalid_app_name',
  ReservedName = 'reserved_app_name',
  InvalidDomain = 'invalid_domain',
  DomainTaken = 'domain_taken',
  DomainNotFound = 'domain_not_found',
}

export class AppsError extends DomainError<AppsErrorCode> {
  readonly domain = 'apps';
}
