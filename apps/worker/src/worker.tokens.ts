/** Injection tokens for the worker's side-effecting parts (layer store, builder, git, logs). */
export const LAYER_STORE = Symbol('LAYER_STORE');
export const IMAGE_BUILDER = Symbol('IMAGE_BUILDER');
export { GIT_REPOSITORIES } from '@berth/git';
export const BUILD_LOGS = Symbol('BUILD_LOGS');
export const RELEASE_LOGS = Symbol('RELEASE_LOGS');
