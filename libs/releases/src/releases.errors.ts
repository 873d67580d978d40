import { DomainError } from '@berth/errors';

export enum ReleasesErrorCode {
  ReleaseNotFound = 'release_not_found',
  NothingToRelease = 'nothing_to_release',
  InvalidProcfile = 'invalid_procfile',
  InvalidConfig = 'invalid_config',
}

export class ReleasesError extends DomainError<ReleasesErrorCode> {
  readonly domain = 'releases';
}
