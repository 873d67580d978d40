/** Injection tokens for the worker's side-effecting parts (layer store, builder, git, logs). */
export const LAYER_STORE = Symbol('LAYER_STORE');
export const IMAGE_BUILDER = Symbol('IMAGE_BUILDER');
export const GIT_REPOSITORIES = Symbol('GIT_REPOSITORIES');
export const BUILD_LOGS = Symbol('BUILD_LOGS');
