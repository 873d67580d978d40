import { LayerStoreError, LayerStoreErrorCode } from '@berth/layer-store';
import { RegistryError, RegistryErrorCode } from './registry.errors';

type StoreCodeMap = Partial<Record<LayerStoreErrorCode, RegistryErrorCode>>;

/** How the layer store's failures read to a registry client, unless a route says otherwise. */
const DEFAULT_CODES: StoreCodeMap = {
  [LayerStoreErrorCode.DigestMismatch]: RegistryErrorCode.DigestInvalid,
  [LayerStoreErrorCode.InvalidDigest]: RegistryErrorCode.DigestInvalid,
  [LayerStoreErrorCode.BlobNotFound]: RegistryErrorCode.BlobUnknown,
  [LayerStoreErrorCode.UnknownImage]: RegistryErrorCode.ManifestUnknown,
  [LayerStoreErrorCode.InvalidManifest]: RegistryErrorCode.ManifestInvalid,
  [LayerStoreErrorCode.UnsupportedMediaType]: RegistryErrorCode.ManifestInvalid,
  [LayerStoreErrorCode.InvalidReference]: RegistryErrorCode.NameInvalid,
  // The tag index stayed locked for the store's whole timeout: the client should retry later.
  [LayerStoreErrorCode.LockTimeout]: RegistryErrorCode.TooManyRequests,
};

/** A layer-store error as a registry error; anything else is returned as it is (unexpected). */
export function translateStoreError(error: unknown, overrides: StoreCodeMap = {}): unknown {
  if (!(error instanceof LayerStoreError)) return error;
  const code = overrides[error.code] ?? DEFAULT_CODES[error.code];
  if (code === undefined) return error;
  const headers: Record<string, string> = code === RegistryErrorCode.TooManyRequests ? { 'Retry-After': '5' } : {};
  return new RegistryError(code, error.message, { detail: error.details ?? null, headers });
}

/** Awaits a store call, answering its failures as the route's registry errors. */
export async function fromStore<T>(operation: Promise<T>, overrides: StoreCodeMap = {}): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    throw translateStoreError(error, overrides);
  }
}
