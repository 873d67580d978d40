export { BerthLabel, CONTAINER_RUNTIME, ContainerRuntime } from './container-runtime.port';
export { DockerEngineRuntime, dockerOptions } from './docker-engine.runtime';
export { RuntimeError, RuntimeErrorCode } from './runtime.errors';
export { RuntimeModule } from './runtime.module';
