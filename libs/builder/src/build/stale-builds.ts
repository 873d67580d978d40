import fs from 'node:fs/promises';
import path from 'node:path';
import { CommandRunner } from '../run/command-runner';

const OWNER_FILE = 'owner.pid';
export const BUILD_DIR_PREFIX = 'build-';

/** Marks a build's scratch dir with the pid of the process running it. */
export async function claimBuildDir(dir: string): Promise<void> {
  await fs.writeFile(path.join(dir, OWNER_FILE), String(process.pid));
}

/**
 * Cleans up after builds whose process died (SIGKILL, OOM, power loss): their RUN containers
 * are deleted, their overlay mounts detached and their scratch dirs removed, so the next
 * build and the GC start from a sound state.
 */
export async function cleanStaleBuilds(workDir: string, runner: CommandRunner, runtime: string): Promise<string[]> {
  const entries = await fs.readdir(workDir).catch(() => [] as string[]);
  const cleaned: string[] = [];
  for (const name of entries.filter((entry) => entry.startsWith(BUILD_DIR_PREFIX))) {
    const dir = path.join(workDir, name);
    if (await ownerAlive(dir)) continue;
    await deleteContainers(path.join(dir, 'run', 'runc'), runner, runtime);
    await unmountUnder(dir, runner);
    await fs.rm(dir, { recursive: true, force: true });
    cleaned.push(dir);
  }
  return cleaned;
}

async function ownerAlive(dir: string): Promise<boolean> {
  const pid = Number(await fs.readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) {
    // No owner yet: a build that is just starting; leave it unless it is old.
    const stat = await fs.stat(dir).catch(() => null);
    return stat !== null && Date.now() - stat.mtimeMs < 60_000;
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed owner whose parent has not reaped it yet (a detached build daemon under an init
  // that reaps slowly) still answers signal 0: its state in /proc tells.
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return !/^\d+ \(.*\) [ZX] /s.test(stat);
}

async function deleteContainers(runcRoot: string, runner: CommandRunner, runtime: string): Promise<void> {
  for (const id of await fs.readdir(runcRoot).catch(() => [] as string[])) {
    await runner.run(runtime, ['--root', runcRoot, 'delete', '--force', id]);
  }
}

/** Detaches every mount below `dir`, deepest first (from /proc/self/mountinfo). */
async function unmountUnder(dir: string, runner: CommandRunner): Promise<void> {
  const mountinfo = await fs.readFile('/proc/self/mountinfo', 'utf8');
  const targets = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((target): target is string => Boolean(target))
    .map((target) => target.replace(/\\040/g, ' '))
    .filter((target) => target === dir || target.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of targets) await runner.run('umount', ['-l', target]);
}
