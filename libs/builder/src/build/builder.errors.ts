import { DomainError } from '@berth/errors';

export enum BuilderErrorCode {
  RunFailed = 'run_failed',
  BaseImageNotFound = 'base_image_not_found',
  InvalidInstruction = 'invalid_instruction',
  CopyFailed = 'copy_failed',
  TooManyLayers = 'too_many_layers',
  Cancelled = 'build_cancelled',
}

export class BuilderError extends DomainError<BuilderErrorCode> {
  readonly domain = 'builder';
}
