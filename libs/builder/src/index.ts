export { CommandResult, CommandRunner, NodeCommandRunner, RunningCommand } from './run/command-runner';
export { RuncExecutor, RuncExecutorOptions, RunStepRequest, RunStepResult } from './run/runc-executor';
export { resolveChown, resolveImageUser, ResolvedUser } from './run/image-user';
export { secureJoin } from './fs/secure-join';
export { BuildContext, ContextEntry, ContextEntryType } from './context/build-context.port';
export { cleanContextPath, ContextEscapeError, DirectoryContext, IgnorePredicate } from './context/directory-context';
export { resolveSources, ResolvedSource, SourceNotFoundError } from './copy/resolve-sources';
export { copyIntoRoot, CopyTarget } from './copy/copy-into-root';
