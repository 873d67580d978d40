import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';

export const BUSYBOX_IMAGE = 'berth-test/busybox:latest';

/**
 * No registry is reachable from tests, so the base image is made here: Debian's static
 * busybox as the only file of a one-layer image, imported into Docker Engine.
 */
export async function ensureBusyboxImage(docker: Docker): Promise<string> {
  const existing = await docker.getImage(BUSYBOX_IMAGE).inspect().catch(() => null);
  if (existing) return BUSYBOX_IMAGE;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-busybox-'));
  try {
    await fs.mkdir(path.join(root, 'bin'));
    await fs.copyFile('/bin/busybox', path.join(root, 'bin', 'busybox'));
    await fs.symlink('busybox', path.join(root, 'bin', 'sh'));
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [repo, tag] = BUSYBOX_IMAGE.split(':');
    const output = await docker.importImage(tar.stdout as unknown as string, { repo, tag });
    await new Promise((resolve, reject) => docker.modem.followProgress(output, (error) => (error ? reject(error) : resolve(null))));
    return BUSYBOX_IMAGE;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
