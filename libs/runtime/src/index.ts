export { BerthLabel, CONTAINER_RUNTIME, ContainerEvent, ContainerLogLine, ContainerRuntime, ContainerState, InstanceSpec, OneOffResult, RegistryCredentials } from './container-runtime.port';
export { DockerEngineRuntime, dockerOptions } from './docker-engine.runtime';
export { RuntimeError, RuntimeErrorCode } from './runtime.errors';
export { RuntimeModule } from './runtime.module';
export { ContainerStats, statsFromDocker } from './container-stats';
export { dockerSince } from './docker-log-lines';
