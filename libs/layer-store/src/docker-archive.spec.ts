import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, it, TestContext } from 'node:test';
import { buildImageConfig } from './image-config';
import { LayerStore } from './layer-store';
import { openTempStore, run, tempDir } from './spec-helpers';
import { tarDirectory } from './tar-directory';

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/** A one-layer image holding the host's statically linked busybox. */
async function busyboxImage(store: LayerStore, reference: string): Promise<void> {
  const rootfs = tempDir();
  await fs.mkdir(join(rootfs, 'bin'));
  await fs.copyFile('/bin/busybox', join(rootfs, 'bin/busybox'));
  await fs.chmod(join(rootfs, 'bin/busybox'), 0o755);
  const layer = await store.writeLayer(tarDirectory(rootfs, { mtime: { clamp: 1_700_000_000 } }));
  const config = buildImageConfig({
    architecture: 'amd64',
    created: '2024-01-01T00:00:00Z',
    diffIds: [layer.diffId, layer.diffId],
    config: { Cmd: ['/bin/busybox', 'echo', 'default'], Env: ['PATH=/bin'], WorkingDir: '/' },
    history: [{ created_by: 'COPY busybox /bin/' }, { created_by: 'COPY busybox /bin/ # again' }],
  });
  // The same layer twice exercises the archive's de-duplication.
  const image = await store.putImage({ config, layers: [layer, layer] });
  await store.tag(reference, image.manifest.digest);
}

async function saveTo(store: LayerStore, reference: string): Promise<string> {
  const file = join(tempDir(), 'image.tar');
  await store.saveDockerArchive(reference, createWriteStream(file));
  return file;
}

describe('saveDockerArchive', () => {
  it('writes manifest.json, the config and each layer once', async () => {
    const store = await openTempStore();
    await busyboxImage(store, 'archive/check:v1');
    const file = await saveTo(store, 'archive/check:v1');
    const listing = run('tar', ['-tf', file]).stdout.trim().split('\n');
    assert.equal(listing.length, 3);
    const manifest = JSON.parse(run('tar', ['-xOf', file, 'manifest.json']).stdout);
    assert.deepEqual(manifest[0].RepoTags, ['archive/check:v1']);
    assert.equal(manifest[0].Layers.length, 2);
    assert.equal(manifest[0].Layers[0], manifest[0].Layers[1]);
    assert.ok(listing.includes(manifest[0].Config));
  });

  it('produces an archive docker load accepts and docker run executes', async (context: TestContext) => {
    const engine = run(DOCKER, ['version', '--format', '{{.Server.Version}}']);
    if (engine.status !== 0) {
      context.skip(`Docker Engine is not answering (${engine.stderr.trim().split('\n')[0]}); start dockerd to run this test`);
      return;
    }
    const store = await openTempStore();
    const reference = `berth-layer-store-test:${randomBytes(4).toString('hex')}`;
    await busyboxImage(store, reference);
    const file = await saveTo(store, reference);
    try {
      const load = run(DOCKER, ['load', '-i', file]);
      assert.equal(load.status, 0, load.stderr);
      assert.match(load.stdout, new RegExp(`Loaded image: ${reference}`));
      const container = run(DOCKER, ['run', '--rm', '--network', 'host', reference, '/bin/busybox', 'echo', 'hi']);
      assert.equal(container.status, 0, container.stderr);
      assert.equal(container.stdout, 'hi\n');
    } finally {
      run(DOCKER, ['rmi', '-f', reference]);
    }
  });
});
