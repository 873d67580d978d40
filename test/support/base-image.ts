import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImageBuilder, NodeCommandRunner, openDirectoryContext, TextProgress } from '@berth/builder';
import { LayerStore } from '@berth/layer-store';
import { PassThrough } from 'node:stream';

export const BASE_IMAGE = 'busybox:test';

/**
 * No registry is reachable from tests: the base image apps build FROM is made by Berth's own
 * builder from Debian's static busybox, into the installation's layer store.
 */
export async function buildBaseImage(dataDir: string): Promise<void> {
  const context = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-base-'));
  try {
    await fs.copyFile('/bin/busybox', path.join(context, 'busybox'));
    const dockerfile = 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n';
    const store = await LayerStore.open({ root: path.join(dataDir, 'layers') });
    const builder = new ImageBuilder({ store, runner: new NodeCommandRunner(), ociRuntime: 'runc', workDir: path.join(dataDir, 'tmp', 'builds') });
    await builder.build({
      context: await openDirectoryContext(context),
      dockerfile: { name: 'Dockerfile', text: dockerfile },
      tags: [BASE_IMAGE],
      progress: new TextProgress(new PassThrough().resume()),
    });
  } finally {
    await fs.rm(context, { recursive: true, force: true });
  }
}
