import { DockerignoreMatcher, loadDockerignore } from '@berth/dockerfile';
import { CommandRunner } from '../run/command-runner';
import { dockerignorePredicate } from './directory-context';
import { GitTreeContext } from './git-tree-context';

/** The context of a push: the tree of `commit` in a bare repository, filtered by its .dockerignore. */
export async function openGitContext(runner: CommandRunner, repository: string, commit: string, dockerfilePath = 'Dockerfile'): Promise<GitTreeContext> {
  const unfiltered = await GitTreeContext.open(runner, repository, commit);
  const ignoreFile = await loadDockerignore(dockerfilePath, async (file) => (await unfiltered.readFile(file))?.toString('utf8') ?? null);
  if (!ignoreFile) return unfiltered;
  const matcher = new DockerignoreMatcher(ignoreFile.patterns);
  return GitTreeContext.open(runner, repository, commit, dockerignorePredicate(matcher));
}
