import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { GithubError, GithubErrorCode } from './github.errors';

export interface FetchRequest {
  /** The app's bare repository. */
  gitDir: string;
  /** The link's clone URL: never one from a payload. */
  url: string;
  /** The linked branch on the remote. */
  branch: string;
  commit: string;
  /** Where the commit lands in the bare repository, e.g. refs/heads/main. */
  targetRef: string;
  deployKey?: string;
  token?: string;
}

/** Brings one commit of a remote repository into an app's bare repository. A port: the real one runs git. */
export interface CommitFetcher {
  fetch(request: FetchRequest): Promise<void>;
}

export const COMMIT_FETCHER = Symbol('COMMIT_FETCHER');

const FETCH_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * git fetch through simple-git, with only the environment git needs (so nothing of the
 * process's own leaks in). A deploy key is written to a 0600 file for this fetch alone; a
 * token travels as an http.extraHeader through GIT_CONFIG_* variables, never on a command line.
 */
export class GitCommitFetcher implements CommitFetcher {
  /** `searchPath`: where git (and ssh) are found; the PATH Berth was started with (config.searchPath). */
  constructor(private readonly searchPath: string) {}

  async fetch(request: FetchRequest): Promise<void> {
    const keyDir = request.deployKey ? await fs.mkdtemp(path.join(os.tmpdir(), 'berth-deploy-key-')) : null;
    try {
      const env = await this.environment(request, keyDir);
      const git = simpleGit({
        baseDir: request.gitDir,
        timeout: { block: FETCH_TIMEOUT_MS },
        unsafe: { allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true },
      }).env(env);
      const tracking = `refs/berth/github/${request.branch}`;
      await git.raw(['fetch', '--no-tags', '--quiet', request.url, `+refs/heads/${request.branch}:${tracking}`]);
      // The branch may have moved on since the push; then fetch the pushed commit itself.
      if (!(await this.hasCommit(git, request.commit))) await git.raw(['fetch', '--no-tags', '--quiet', request.url, request.commit]);
      if (!(await this.hasCommit(git, request.commit))) throw new Error(`${request.url} has no commit ${request.commit}`);
      await git.raw(['update-ref', request.targetRef, request.commit]);
    } catch (error) {
      throw new GithubError(GithubErrorCode.FetchFailed, `fetching ${request.commit.slice(0, 12)} from ${request.url} failed: ${(error as Error).message.trim()}`);
    } finally {
      if (keyDir) await fs.rm(keyDir, { recursive: true, force: true });
    }
  }

  private async environment(request: FetchRequest, keyDir: string | null): Promise<Record<string, string>> {
    const env: Record<string, string> = { PATH: this.searchPath, HOME: os.homedir(), GIT_TERMINAL_PROMPT: '0' };
    if (keyDir && request.deployKey) {
      const keyFile = path.join(keyDir, 'id_ed25519');
      await fs.writeFile(keyFile, request.deployKey, { mode: 0o600 });
      env.GIT_SSH_COMMAND = `ssh -i '${keyFile}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new`;
    }
    if (request.token) {
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`x-access-token:${request.token}`).toString('base64')}`;
    }
    return env;
  }

  private async hasCommit(git: ReturnType<typeof simpleGit>, commit: string): Promise<boolean> {
    return git.raw(['cat-file', '-e', `${commit}^{commit}`]).then(() => true, () => false);
  }
}
