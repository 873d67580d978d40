import { DomainError } from '@berth/errors';

export enum RuntimeErrorCode {
  EngineUnavailable = 'runtime_unavailable',
}

export class RuntimeError extends DomainError<RuntimeErrorCode> {
  readonly domain = 'runtime';
}
