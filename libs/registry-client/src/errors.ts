import { DomainError } from '@berth/errors';

export enum RegistryClientErrorCode {
  InvalidReference = 'invalid_image_reference',
  ImageNotFound = 'image_not_found',
  Unauthorized = 'registry_unauthorized',
  RateLimited = 'registry_rate_limited',
  Unreachable = 'registry_unreachable',
  RegistryError = 'registry_error',
  InvalidResponse = 'registry_invalid_response',
  UnsupportedManifest = 'unsupported_manifest',
  NoMatchingPlatform = 'no_matching_platform',
  DigestMismatch = 'registry_digest_mismatch',
  InvalidAuthConfig = 'invalid_registry_auth_config',
}

export class RegistryClientError extends DomainError<RegistryClientErrorCode> {
  readonly domain = 'registry-client';
}
