export { CommandResult, CommandRunner, NodeCommandRunner, RunningCommand } from './run/command-runner';
export { RuncExecutor, RuncExecutorOptions, RunStepRequest, RunStepResult } from './run/runc-executor';
export { resolveChown, resolveImageUser, ResolvedUser } from './run/image-user';
export { secureJoin } from './fs/secure-join';
