import { HttpStatus } from '@nestjs/common';
import { AppsErrorCode } from '@berth/apps';
import { AuthErrorCode } from '@berth/auth';
import { DependencyErrorCode, RequestErrorCode } from '@berth/errors';
import { RuntimeErrorCode } from '@berth/runtime';

type ErrorCode = AppsErrorCode | AuthErrorCode | DependencyErrorCode | RequestErrorCode | RuntimeErrorCode;

/**
 * The one place where domain error codes become HTTP statuses. A new code that is not
 * listed here fails to compile.
 */
export const HTTP_STATUS_OF: Record<ErrorCode, HttpStatus> = {
  [RequestErrorCode.InvalidJson]: HttpStatus.BAD_REQUEST,
  [RequestErrorCode.UnsupportedBody]: HttpStatus.BAD_REQUEST,
  [RequestErrorCode.BodyTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [RequestErrorCode.ValidationFailed]: HttpStatus.UNPROCESSABLE_ENTITY,
  [RequestErrorCode.RouteNotFound]: HttpStatus.NOT_FOUND,
  [AuthErrorCode.MissingToken]: HttpStatus.UNAUTHORIZED,
  [AuthErrorCode.InvalidToken]: HttpStatus.UNAUTHORIZED,
  [AuthErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [AppsErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [AppsErrorCode.AlreadyExists]: HttpStatus.CONFLICT,
  [AppsErrorCode.InvalidName]: HttpStatus.UNPROCESSABLE_ENTITY,
  [AppsErrorCode.ReservedName]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DependencyErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [RuntimeErrorCode.EngineUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [RuntimeErrorCode.PullFailed]: HttpStatus.BAD_GATEWAY,
};
