import { DomainError } from '@berth/errors';

export enum GitErrorCode {
  RepositoryNotFound = 'repository_not_found',
  InvalidService = 'invalid_git_service',
  GitFailed = 'git_failed',
}

export class GitError extends DomainError<GitErrorCode> {
  readonly domain = 'git';
}
