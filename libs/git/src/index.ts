export { GitError, GitErrorCode } from './git.errors';
export { GitRepositories } from './git-repositories';
export { GitHttpHandler, GitHttpHooks } from './git-http.handler';
export { advertiseRefs, GIT_SERVICES, GitService, pktLine, runService } from './smart-http';
