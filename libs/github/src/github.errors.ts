import { DomainError } from '@berth/errors';

export enum GithubErrorCode {
  NotLinked = 'github_not_linked',
  InvalidSignature = 'invalid_signature',
  InvalidPayload = 'invalid_payload',
  FileUrlForbidden = 'file_url_forbidden',
  InvalidCloneUrl = 'invalid_clone_url',
  FetchFailed = 'github_fetch_failed',
}

export class GithubError extends DomainError<GithubErrorCode> {
  readonly domain = 'github';
}
