export { RegistryError, RegistryErrorCode, REGISTRY_STATUS_OF } from './registry.errors';
export { REGISTRY_LAYER_STORE, RegistryModule, RegistryRouter } from './registry.module';
export { createRegistryRouter } from './registry-router';
export { REGISTRY_CHALLENGE, RegistryAuthenticator } from './registry-auth';
export { ABANDONED_UPLOAD_MS, registryUploadsDir, removeAbandonedUploads, UploadSessions } from './upload-sessions';
export type { UploadSession } from './upload-sessions';
export { isRepositoryName } from './names';
