/**
 * Base of every domain's error type. A domain declares its own code enum and subclass;
 * the api maps codes to HTTP statuses in one table, so domains never think in HTTP.
 */
export abstract class DomainError<Code extends string = string> extends Error {
  abstract readonly domain: string;

  constructor(
    readonly code: Code,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Errors about the shape of a request, before any domain sees it. */
export enum RequestErrorCode {
  InvalidJson = 'invalid_json',
  UnsupportedBody = 'unsupported_body',
  BodyTooLarge = 'body_too_large',
  ValidationFailed = 'validation_failed',
  RouteNotFound = 'not_found',
}

export class RequestError extends DomainError<RequestErrorCode> {
  readonly domain = 'request';
}

/** A dependency (Postgres, Redis, Docker) that did not answer. */
export enum DependencyErrorCode {
  Unavailable = 'dependency_unavailable',
}

export class DependencyError extends DomainError<DependencyErrorCode> {
  readonly domain = 'dependency';
}
