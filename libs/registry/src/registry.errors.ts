import { DomainError } from '@berth/errors';

/** The error codes of the OCI distribution spec, spelled as clients expect them on the wire. */
export enum RegistryErrorCode {
  BlobUnknown = 'BLOB_UNKNOWN',
  BlobUploadInvalid = 'BLOB_UPLOAD_INVALID',
  BlobUploadUnknown = 'BLOB_UPLOAD_UNKNOWN',
  DigestInvalid = 'DIGEST_INVALID',
  ManifestBlobUnknown = 'MANIFEST_BLOB_UNKNOWN',
  ManifestInvalid = 'MANIFEST_INVALID',
  ManifestUnknown = 'MANIFEST_UNKNOWN',
  NameInvalid = 'NAME_INVALID',
  NameUnknown = 'NAME_UNKNOWN',
  SizeInvalid = 'SIZE_INVALID',
  Unauthorized = 'UNAUTHORIZED',
  Denied = 'DENIED',
  Unsupported = 'UNSUPPORTED',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  /** Not in the OCI list: the reference implementation's code for failures on the server's side. */
  Unknown = 'UNKNOWN',
}

/**
 * The registry's own status table: its errors are answered in the spec's format by the
 * registry router, never by the api's filter, so they are not in apps/api's table.
 */
export const REGISTRY_STATUS_OF: Record<RegistryErrorCode, number> = {
  [RegistryErrorCode.BlobUnknown]: 404,
  [RegistryErrorCode.BlobUploadInvalid]: 400,
  [RegistryErrorCode.BlobUploadUnknown]: 404,
  [RegistryErrorCode.DigestInvalid]: 400,
  [RegistryErrorCode.ManifestBlobUnknown]: 400,
  [RegistryErrorCode.ManifestInvalid]: 400,
  [RegistryErrorCode.ManifestUnknown]: 404,
  [RegistryErrorCode.NameInvalid]: 400,
  [RegistryErrorCode.NameUnknown]: 404,
  [RegistryErrorCode.SizeInvalid]: 400,
  [RegistryErrorCode.Unauthorized]: 401,
  [RegistryErrorCode.Denied]: 403,
  [RegistryErrorCode.Unsupported]: 405,
  [RegistryErrorCode.TooManyRequests]: 429,
  [RegistryErrorCode.Unknown]: 500,
};

export interface RegistryErrorOptions {
  /** The spec's `detail`: any JSON value that helps the client. */
  detail?: unknown;
  /** Where the spec asks for another status than the code's usual one (416 for ranges, 413). */
  status?: number;
  /** Headers the answer must carry, e.g. WWW-Authenticate, or Range for an out-of-order chunk. */
  headers?: Record<string, string>;
  /** Further errors answered together with this one (one per missing blob of a manifest). */
  more?: RegistryError[];
}

export class RegistryError extends DomainError<RegistryErrorCode> {
  readonly domain = 'registry';
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string>;
  readonly more: RegistryError[];

  constructor(code: RegistryErrorCode, message: string, options: RegistryErrorOptions = {}) {
    super(code, message);
    this.status = options.status ?? REGISTRY_STATUS_OF[code];
    this.detail = options.detail ?? null;
    this.headers = options.headers ?? {};
    this.more = options.more ?? [];
  }

  /** The body the spec prescribes: `{"errors":[{"code","message","detail"}]}`. */
  toBody(): { errors: Array<{ code: string; message: string; detail: unknown }> } {
    const errors = [this, ...this.more].map((error) => ({ code: error.code, message: error.message, detail: error.detail }));
    return { errors };
  }
}
