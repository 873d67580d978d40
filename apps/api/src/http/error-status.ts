import { HttpStatus } from '@nestjs/common';
import { AppsErrorCode } from '@berth/apps';
import { AuthErrorCode } from '@berth/auth';
import { DependencyErrorCode, RequestErrorCode } from '@berth/errors';
import { DeployerErrorCode } from '@berth/deployer';
import { GitErrorCode } from '@berth/git';
import { GithubErrorCode } from '@berth/github';
import { ReleasesErrorCode } from '@berth/releases';
import { RuntimeErrorCode } from '@berth/runtime';
import { SecretsErrorCode } from '@berth/secrets';

type ErrorCode =
  | AppsErrorCode
  | AuthErrorCode
  | DependencyErrorCode
  | DeployerErrorCode
  | GitErrorCode
  | GithubErrorCode
  | ReleasesErrorCode
  | RequestErrorCode
  | RuntimeErrorCode
  | SecretsErrorCode;

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
  [AppsErrorCode.InvalidDomain]: HttpStatus.UNPROCESSABLE_ENTITY,
  [AppsErrorCode.DomainTaken]: HttpStatus.CONFLICT,
  [AppsErrorCode.DomainNotFound]: HttpStatus.NOT_FOUND,
  [DependencyErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [RuntimeErrorCode.EngineUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [RuntimeErrorCode.PullFailed]: HttpStatus.BAD_GATEWAY,
  [ReleasesErrorCode.ReleaseNotFound]: HttpStatus.NOT_FOUND,
  [ReleasesErrorCode.NothingToRelease]: HttpStatus.CONFLICT,
  [ReleasesErrorCode.InvalidProcfile]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ReleasesErrorCode.InvalidConfig]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DeployerErrorCode.ReleaseCommandFailed]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DeployerErrorCode.HealthCheckFailed]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DeployerErrorCode.NoImage]: HttpStatus.CONFLICT,
  [DeployerErrorCode.NoPortsLeft]: HttpStatus.SERVICE_UNAVAILABLE,
  [DeployerErrorCode.InvalidFormation]: HttpStatus.UNPROCESSABLE_ENTITY,
  [GitErrorCode.RepositoryNotFound]: HttpStatus.NOT_FOUND,
  [GitErrorCode.InvalidService]: HttpStatus.BAD_REQUEST,
  [GitErrorCode.GitFailed]: HttpStatus.INTERNAL_SERVER_ERROR,
  [GithubErrorCode.NotLinked]: HttpStatus.NOT_FOUND,
  [GithubErrorCode.InvalidSignature]: HttpStatus.UNAUTHORIZED,
  [GithubErrorCode.InvalidPayload]: HttpStatus.BAD_REQUEST,
  [GithubErrorCode.FileUrlForbidden]: HttpStatus.FORBIDDEN,
  [GithubErrorCode.InvalidCloneUrl]: HttpStatus.UNPROCESSABLE_ENTITY,
  [GithubErrorCode.FetchFailed]: HttpStatus.BAD_GATEWAY,
  [SecretsErrorCode.SecretUnreadable]: HttpStatus.INTERNAL_SERVER_ERROR,
  [SecretsErrorCode.MasterKeyInvalid]: HttpStatus.INTERNAL_SERVER_ERROR,
};
