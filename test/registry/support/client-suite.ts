import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { hostPlatform } from '@berth/layer-store';
import { DockerCli, SkopeoCli } from './clients';
import { busyboxRootfsTar, OCI_INDEX, OCI_MANIFEST, OciLayoutImage, sha256, writeOciLayout } from './images';
import { RegistryTarget } from './registries';

/** What the client tests share: one registry, clients with private config, and the images they push. */
export interface ClientContext<T extends RegistryTarget = RegistryTarget> {
  target: T;
  docker: DockerCli;
  skopeo: SkopeoCli;
  workDir: string;
  id: string;
  /** The docker-built image: a unique busybox layer, a COPY layer on top, and CMD printing both files. */
  app: string;
  marker: string;
  /** Every image name the tests gave Docker, removed at the end. */
  dockerImages: Set<string>;
}

/** Starts the registry and builds the test image in `before`, stops and cleans up in `after`. */
export function clientContext<T extends RegistryTarget>(start: () => Promise<T>): ClientContext<T> {
  const context = { dockerImages: new Set<string>() } as ClientContext<T>;
  before(async () => {
    context.target = await start();
    context.docker = await DockerCli.create();
    context.skopeo = await SkopeoCli.create();
    context.workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-registry-clients-'));
    context.id = randomBytes(4).toString('hex');
    context.marker = `marker-${context.target.kind}-${context.id}`;
    context.app = `${context.target.host}/berth-e2e/app:v1`;
    await buildAppImage(context);
  });
  after(async () => {
    const images = [...context.dockerImages];
    if (images.length > 0) await context.docker?.run(['rmi', '-f', ...images]);
    await context.docker?.dispose();
    await context.skopeo?.dispose();
    if (context.workDir) await fs.rm(context.workDir, { recursive: true, force: true });
    await context.target?.stop();
  });
  return context;
}

async function buildAppImage(context: ClientContext): Promise<void> {
  const base = `berth-registry-e2e/base-${context.id}:1`;
  context.dockerImages.add(base).add(context.app);
  await context.docker.ok(['import', '-', base], await busyboxRootfsTar(context.marker));
  const dir = path.join(context.workDir, 'build');
  await fs.mkdir(dir);
  await fs.writeFile(path.join(dir, 'extra'), `extra-${context.id}\n`);
  const dockerfile = `FROM ${base}\nCOPY extra /extra\nCMD ["/bin/busybox", "cat", "/marker", "/extra"]\n`;
  await fs.writeFile(path.join(dir, 'Dockerfile'), dockerfile);
  await context.docker.ok(['build', '-q', '-t', context.app, dir]);
}

/**
 * The tests that real clients must pass, the same against Berth and against Debian's
 * docker-registry. They run in order: later ones pull what earlier ones pushed.
 */
export function defineClientTests(context: ClientContext): void {
  let pushedDigest = '';
  let layout: OciLayoutImage;

  it('docker login refuses a wrong password', async () => {
    const result = await context.docker.login(context.target, 'not-the-token');
    assert.notEqual(result.status, 0, result.stdout);
    assert.match(result.stderr, /unauthorized|401/i);
  });

  it('docker login with the token succeeds and keeps the credentials in its own DOCKER_CONFIG', async () => {
    const result = await context.docker.login(context.target);
    assert.equal(result.status, 0, result.stderr);
    const config = JSON.parse(await fs.readFile(path.join(context.docker.configDir, 'config.json'), 'utf8'));
    assert.ok(config.auths[context.target.host]?.auth, 'credentials stored for the registry');
  });

  it('docker push uploads a two-layer image', async () => {
    const { stdout } = await context.docker.ok(['push', context.app]);
    pushedDigest = /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1] ?? '';
    assert.ok(pushedDigest, stdout);
    assert.equal((stdout.match(/: Pushed$/gm) ?? []).length, 2, stdout);
  });

  it('docker pull brings the image back after it is removed, and docker run runs it', async () => {
    await context.docker.ok(['rmi', context.app, `berth-registry-e2e/base-${context.id}:1`]);
    const { stdout } = await context.docker.ok(['pull', context.app]);
    assert.match(stdout, new RegExp(`Digest: ${pushedDigest}`));
    assert.equal((stdout.match(/Pull complete/g) ?? []).length, 2, 'both layers were downloaded');
    const ran = await context.docker.ok(['run', '--rm', '--network', 'host', context.app]);
    assert.equal(ran.stdout, `${context.marker}\nextra-${context.id}\n`);
  });

  it('docker push to another repository uploads no layer again', async () => {
    const copy = `${context.target.host}/berth-e2e/copy:v1`;
    context.dockerImages.add(copy);
    await context.docker.ok(['tag', context.app, copy]);
    const { stdout } = await context.docker.ok(['push', copy]);
    // docker-registry links blobs per repository, so Docker mounts them; Berth's blobs are
    // global, so Docker's existence check already finds them. Either way nothing is re-sent.
    assert.equal((stdout.match(/Mounted from berth-e2e\/app|Layer already exists/g) ?? []).length, 2, stdout);
    assert.doesNotMatch(stdout, /Pushed/);
    assert.match(stdout, new RegExp(`digest: ${pushedDigest}`));
  });

  it('skopeo copies an OCI image index in from an OCI layout, keeping its bytes', async () => {
    const platform = hostPlatform();
    const other = platform.architecture === 'arm64' ? 'amd64' : 'arm64';
    const dir = path.join(context.workDir, 'layout-in');
    layout = await writeOciLayout(dir, await busyboxRootfsTar(`${context.marker}-oci`), [platform.architecture, other]);
    const destination = `docker://${context.target.host}/berth-e2e/multi:1`;
    await context.skopeo.copy(context.target, `oci:${dir}:${layout.ref}`, destination, ['--all', '--preserve-digests']);
    const raw = await context.skopeo.remote(context.target, 'inspect', destination, ['--raw']);
    assert.equal(sha256(raw.stdout), layout.indexDigest);
    assert.equal(raw.stdout, layout.indexBytes.toString('utf8'));
  });

  it('skopeo copies the index back out to an OCI layout, every manifest with the same digest', async () => {
    const dir = path.join(context.workDir, 'layout-out');
    await context.skopeo.copy(context.target, `docker://${context.target.host}/berth-e2e/multi:1`, `oci:${dir}:out`, ['--all', '--preserve-digests']);
    const index = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].digest, layout.indexDigest);
    assert.equal(index.manifests[0].mediaType, OCI_INDEX);
    for (const manifest of layout.manifests) {
      const bytes = await fs.readFile(path.join(dir, 'blobs', 'sha256', manifest.digest.slice(7)));
      assert.equal(sha256(bytes), manifest.digest);
    }
    assert.ok(await fs.stat(path.join(dir, 'blobs', 'sha256', layout.layerDigest.slice(7))));
  });

  it("docker pulls the index, chooses this machine's platform and runs it", async () => {
    const image = `${context.target.host}/berth-e2e/multi:1`;
    context.dockerImages.add(image);
    await context.docker.ok(['pull', image]);
    const ran = await context.docker.ok(['run', '--rm', '--network', 'host', image]);
    assert.equal(ran.stdout, `${context.marker}-oci\n`);
  });

  it('skopeo copies a docker-pushed image out to an OCI layout with the same blobs', async () => {
    const dir = path.join(context.workDir, 'app-out');
    await context.skopeo.copy(context.target, `docker://${context.app}`, `oci:${dir}:app`);
    const raw = JSON.parse((await context.skopeo.remote(context.target, 'inspect', `docker://${context.app}`, ['--raw'])).stdout);
    for (const layer of raw.layers as Array<{ digest: string }>) {
      const bytes = await fs.readFile(path.join(dir, 'blobs', 'sha256', layer.digest.slice(7)));
      assert.equal(sha256(bytes), layer.digest);
    }
  });

  it('skopeo converts the image to an OCI manifest registry to registry, and docker runs that', async () => {
    const image = `${context.target.host}/berth-e2e/oci:v1`;
    context.dockerImages.add(image);
    await context.skopeo.copy(context.target, `docker://${context.app}`, `docker://${image}`, ['--format', 'oci']);
    const raw = JSON.parse((await context.skopeo.remote(context.target, 'inspect', `docker://${image}`, ['--raw'])).stdout);
    assert.equal(raw.mediaType, OCI_MANIFEST);
    await context.docker.ok(['pull', image]);
    const ran = await context.docker.ok(['run', '--rm', '--network', 'host', image]);
    assert.equal(ran.stdout, `${context.marker}\nextra-${context.id}\n`);
  });

  it('skopeo lists the tags of a repository', async () => {
    await context.skopeo.copy(context.target, `docker://${context.app}`, `docker://${context.target.host}/berth-e2e/app:v2`);
    const { stdout } = await context.skopeo.remote(context.target, 'list-tags', `docker://${context.target.host}/berth-e2e/app`);
    assert.deepEqual(JSON.parse(stdout).Tags.sort(), ['v1', 'v2']);
  });

  it('skopeo deletes a manifest, and the tag no longer resolves', async () => {
    const image = `docker://${context.target.host}/berth-e2e/copy:v1`;
    await context.skopeo.remote(context.target, 'delete', image);
    await assert.rejects(context.skopeo.remote(context.target, 'inspect', image, ['--raw']), /manifest unknown|not found/i);
  });
}
