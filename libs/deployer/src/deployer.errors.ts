import { DomainError } from '@berth/errors';

export enum DeployerErrorCode {
  ReleaseCommandFailed = 'release_command_failed',
  HealthCheckFailed = 'health_check_failed',
  NoImage = 'release_has_no_image',
  NoPortsLeft = 'no_ports_left',
  InvalidFormation = 'invalid_formation',
}

export class DeployerError extends DomainError<DeployerErrorCode> {
  readonly domain = 'deployer';
}
