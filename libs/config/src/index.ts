export { BerthConfig, environmentSchema, installationIdOf, RegistryAuthSetting, RouterLimits } from './config.schema';
export { ConfigError, loadConfig, inheritedEnvironment } from './load-config';
export { BERTH_CONFIG, ConfigModule } from './config.module';
export { BuildClientConfig, loadBuildClientConfig } from './client-config';
