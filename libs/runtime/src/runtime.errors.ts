import { DomainError } from '@berth/errors';

export enum RuntimeErrorCode {
  EngineUnavailable = 'runtime_unavailable',
  PullFailed = 'image_pull_failed',
}

export class RuntimeError extends DomainError<RuntimeErrorCode> {
  readonly domain = 'runtime';
}
