import fs from 'node:fs/promises';
import path from 'node:path';
import { CommandRunner, runChecked } from './command-runner';

export interface OverlayMount {
  target: string;
  unmount(): Promise<void>;
}

/**
 * Mounts an overlay of read-only snapshot directories plus a writable upper dir. Lower dirs
 * are passed as short symlinks relative to a links dir (as Docker's overlay2 does with l/),
 * because the kernel caps mount options at one page and a deep image has long paths.
 */
export class OverlayMounter {
  constructor(private readonly runner: CommandRunner) {}

  /** `lowerDirs` top-most first; an empty list mounts over an empty directory (FROM scratch). */
  async mount(options: { lowerDirs: string[]; upperDir: string; workDir: string; target: string; scratchDir: string }): Promise<OverlayMount> {
    const linksDir = path.join(options.scratchDir, 'l');
    await fs.mkdir(linksDir, { recursive: true });
    const lowers = options.lowerDirs.length > 0 ? options.lowerDirs : [await emptyDir(options.scratchDir)];
    const names = await Promise.all(
      lowers.map(async (dir, index) => {
        const name = index.toString(36);
        await fs.symlink(dir, path.join(linksDir, name));
        return name;
      }),
    );
    await fs.mkdir(options.target, { recursive: true });
    await fs.mkdir(options.workDir, { recursive: true });
    const data = `lowerdir=${names.join(':')},upperdir=${options.upperDir},workdir=${options.workDir}`;
    await runChecked(this.runner, 'mount', ['-t', 'overlay', 'overlay', '-o', data, options.target], { cwd: linksDir });
    return { target: options.target, unmount: () => this.unmount(options.target) };
  }

  private async unmount(target: string): Promise<void> {
    const result = await this.runner.run('umount', [target]);
    if (result.code === 0) return;
    // A process that outlived the step (killed build) can keep the mount busy: detach it.
    await runChecked(this.runner, 'umount', ['-l', target]);
  }
}

async function emptyDir(scratchDir: string): Promise<string> {
  const dir = path.join(scratchDir, 'empty');
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Overlay takes its root directory's owner and mode from the upper dir: give it the image's
 * root attributes, or a freshly made (0700 temp) upper dir would lock non-root users out.
 */
export async function matchRootAttributes(upperDir: string, topLowerDir: string | undefined): Promise<void> {
  const stat = topLowerDir ? await fs.stat(topLowerDir) : { mode: 0o755, uid: 0, gid: 0 };
  await fs.chmod(upperDir, stat.mode & 0o7777);
  await fs.chown(upperDir, stat.uid, stat.gid);
}
