export { GitError, GitErrorCode } from './git.errors';
export { GitRepositories } from './git-repositories';
export { GIT_REPOSITORIES, GitModule } from './git.module';
export { GitHttpHandler, GitHttpHooks } from './git-http.handler';
export { advertiseRefs, GIT_SERVICES, GitService, pktLine, runService } from './smart-http';
export { EXIT_MARKER, installPreReceiveHook, preReceiveHookScript, PUSH_ENV } from './push-hook';
