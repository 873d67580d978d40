import fs from 'node:fs/promises';
import path from 'node:path';

/** Every path a mount destination needs, parents first: /etc/hosts -> /etc, /etc/hosts. */
function withParents(destinations: string[]): string[] {
  const all = new Set<string>();
  for (const destination of destinations) {
    const parts = destination.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) all.add('/' + parts.slice(0, i).join('/'));
  }
  return [...all];
}

/** The mount destinations (and their parents) that do not exist in the merged rootfs yet. */
export async function missingMountPaths(rootfs: string, destinations: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const candidate of withParents(destinations)) {
    try {
      await fs.lstat(path.join(rootfs, candidate));
    } catch {
      missing.push(candidate);
    }
  }
  return missing;
}

/**
 * Removes from the upper dir the stubs the runtime created for its mounts (empty dirs and
 * empty files that did not exist before the step), deepest first, so they never reach the layer.
 */
export async function removeMountStubs(upperDir: string, missing: string[]): Promise<void> {
  const deepestFirst = [...missing].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const stub of deepestFirst) {
    const full = path.join(upperDir, stub);
    const stat = await fs.lstat(full).catch(() => null);
    if (!stat) continue;
    if (stat.isDirectory() && (await fs.readdir(full)).length === 0) await fs.rmdir(full);
    else if (stat.isFile() && stat.size === 0) await fs.unlink(full);
  }
}
