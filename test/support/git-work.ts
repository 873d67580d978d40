import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A developer's work tree, driven with the real git client (asynchronously: Berth may run in this process). */
export class GitWork {
  constructor(readonly dir: string) {}

  async git(...args: string[]): Promise<GitResult> {
    try {
      const { stdout, stderr } = await execFileAsync('git', ['-C', this.dir, '-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'credential.helper=', ...args], {
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
        maxBuffer: 16 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  async commit(files: Record<string, string>, message = 'change'): Promise<void> {
    for (const [name, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(this.dir, name)), { recursive: true });
      await fs.writeFile(path.join(this.dir, name), content);
    }
    await this.git('add', '-A');
    await this.git('commit', '-qm', message);
  }
}
