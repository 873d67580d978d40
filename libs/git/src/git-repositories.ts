import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitError, GitErrorCode } from './git.errors';

const run = promisify(execFile);

/**
 * One bare repository per app under `<data dir>/git/NAME.git`. Every repository shares one
 * hooks directory (core.hooksPath), so the push pipeline's hook is installed once.
 */
export class GitRepositories {
  readonly root: string;
  readonly hooksDir: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'git');
    this.hooksDir = path.join(this.root, 'hooks');
  }

  path(app: string): string {
    return path.join(this.root, `${app}.git`);
  }

  async exists(app: string): Promise<boolean> {
    return fs.stat(path.join(this.path(app), 'HEAD')).then(() => true, () => false);
  }

  /** Creates the app's bare repository, HEAD on the deploy branch, deletions refused. Idempotent. */
  async create(app: string, deployBranch = 'main'): Promise<string> {
    const repository = this.path(app);
    await fs.mkdir(this.hooksDir, { recursive: true });
    await this.git(['init', '--quiet', '--bare', `--initial-branch=${deployBranch}`, repository]);
    const settings: Array<[string, string]> = [
      ['receive.denyDeletes', 'true'],
      ['receive.denyNonFastForwards', 'false'],
      ['http.receivepack', 'true'],
      ['core.hooksPath', this.hooksDir],
      ['gc.auto', '0'],
    ];
    for (const [key, value] of settings) await this.git(['--git-dir', repository, 'config', key, value]);
    return repository;
  }

  async remove(app: string): Promise<void> {
    await fs.rm(this.path(app), { recursive: true, force: true });
  }

  /** The commit a branch points at, or null when the branch does not exist yet. */
  async branchHead(app: string, branch: string): Promise<string | null> {
    try {
      const { stdout } = await run('git', ['--git-dir', this.path(app), 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
      return stdout.trim() || null;
    } catch {
      return null;
    }
  }

  private async git(args: string[]): Promise<void> {
    try {
      await run('git', args);
    } catch (error) {
      throw new GitError(GitErrorCode.GitFailed, `git ${args[0]} failed: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`);
    }
  }
}
