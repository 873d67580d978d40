export { FileMasterKey, MASTER_KEY_BYTES, MASTER_KEY_SOURCE, MasterKeySource, masterKeyFileOf } from './master-key';
export { SecretBox } from './secret-box';
export { SecretBoxFactory, SecretsModule } from './secrets.module';
export { SecretsError, SecretsErrorCode } from './secrets.errors';
