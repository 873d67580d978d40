import { DockerignoreMatcher, loadDockerignore } from '@berth/dockerfile';
import { CommandRunner } from '../run/command-runner';
import { dockerignorePredicate } from './directory-context';
import { GitTreeContext } from './git-tree-context';

/** A commit's whole tree seen through its .dockerignore (`<Dockerfile>.dockerignore` first). */
export async function applyDockerignore(tree: GitTreeContext, dockerfilePath = 'Dockerfile'): Promise<GitTreeContext> {
  const ignoreFile = await loadDockerignore(dockerfilePath, async (file) => (await tree.readFile(file))?.toString('utf8') ?? null);
  return ignoreFile ? tree.withIgnore(dockerignorePredicate(new DockerignoreMatcher(ignoreFile.patterns))) : tree;
}

/** The context of a push: the tree of `commit` in a bare repository, filtered by its .dockerignore. */
export async function openGitContext(runner: CommandRunner, repository: string, commit: string, dockerfilePath = 'Dockerfile'): Promise<GitTreeContext> {
  return applyDockerignore(await GitTreeContext.open(runner, repository, commit), dockerfilePath);
}
