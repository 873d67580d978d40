export { GIT_REPOSITORIES } from '@berth/git';
export const BUILD_LOGS = Symbol('BUILD_LOGS');
