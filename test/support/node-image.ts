import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ImageBuilder, NodeCommandRunner, openDirectoryContext, TextProgress } from '@berth/builder';
import { LayerStore } from '@berth/layer-store';

export const NODE_BASE_IMAGE = 'node-base:test';

/** The host's node binary and the shared libraries `ldd` names, at their own paths. */
async function nodeRootfs(dir: string): Promise<void> {
  const node = await fs.realpath(process.execPath);
  const libraries = execFileSync('ldd', [node], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((library): library is string => Boolean(library));
  for (const file of [node, ...libraries]) {
    const target = path.join(dir, file === node ? '/usr/local/bin/node' : file);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.copyFile(await fs.realpath(file), target);
    await fs.chmod(target, 0o755);
  }
}

/** A Node.js base image made from this machine's own node (no registry is reachable from tests). */
export async function buildNodeBaseImage(dataDir: string): Promise<void> {
  const context = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-node-base-'));
  try {
    await nodeRootfs(path.join(context, 'rootfs'));
    const store = await LayerStore.open({ root: path.join(dataDir, 'layers') });
    const builder = new ImageBuilder({ store, runner: new NodeCommandRunner(), ociRuntime: 'runc', workDir: path.join(dataDir, 'tmp', 'builds') });
    await builder.build({
      context: await openDirectoryContext(context),
      dockerfile: { name: 'Dockerfile', text: 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\nCMD ["node"]\n' },
      tags: [NODE_BASE_IMAGE],
      progress: new TextProgress(new PassThrough().resume()),
    });
  } finally {
    await fs.rm(context, { recursive: true, force: true });
  }
}
