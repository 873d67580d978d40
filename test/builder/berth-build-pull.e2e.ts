import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { NestExpressApplication } from '@nestjs/platform-express';
import { LayerStore } from '@berth/layer-store';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { BASE_IMAGE, buildBaseImage } from '../support/base-image';
import { BERTH_BIN } from '../support/berth-process';
import { createTestEnv, freePort, TestEnv } from '../support/test-env';

const execFileAsync = promisify(execFile);
const isRoot = process.getuid?.() === 0;

describe('berth build pulls a FROM image it does not have from a v2 registry', { skip: !isRoot && 'needs root for the builder' }, () => {
  let env: TestEnv;
  let api: NestExpressApplication;
  let registry: string;
  let work: string;

  before(async () => {
    // The registry is another Berth's, with its own store: the pull really goes over HTTP.
    env = await createTestEnv();
    await buildBaseImage(env.config.dataDir);
    const store = await LayerStore.open({ root: path.join(env.config.dataDir, 'layers') });
    await store.tag('some/busybox:tag', await store.resolve(BASE_IMAGE));
    const port = await freePort();
    api = await createApiApp({ ...env.config, api: { port }, log: { level: 'warn', pretty: false } });
    await api.listen(port, '127.0.0.1');
    registry = `127.0.0.1:${port}`;
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-pull-'));
  });

  after(async () => {
    await api?.close();
    await env?.dispose();
    await fs.rm(work, { recursive: true, force: true });
  });

  async function build(dataDir: string, dockerfile: string, extraEnv: Record<string, string> = {}) {
    const context = await fs.mkdtemp(path.join(work, 'ctx-'));
    await fs.writeFile(path.join(context, 'Dockerfile'), dockerfile);
    const env = { ...process.env, BERTH_DATA_DIR: dataDir, BERTH_API_PORT: '3999', ...extraEnv };
    return execFileAsync(process.execPath, [BERTH_BIN, 'build', context], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
    );
  }

  it('pulls with credentials, verifies every blob, and builds on it; the second build needs no pull', async () => {
    const dataDir = path.join(work, 'data');
    const credentials = JSON.stringify({ [registry]: { username: 'berth', password: env.adminToken } });
    const dockerfile = `FROM ${registry}/some/busybox:tag\nRUN echo "built on a pulled image" > /proof && cat /proof\n`;
    const first = await build(dataDir, dockerfile, { BERTH_REGISTRY_AUTH: credentials });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, new RegExp(`-----> Pulling ${registry.replace(/\./g, '\\.')}/some/busybox:tag`));
    assert.match(first.stdout, /^built on a pulled image$/m);
    const second = await build(dataDir, dockerfile, { BERTH_REGISTRY_AUTH: credentials });
    assert.equal(second.code, 0);
    assert.doesNotMatch(second.stdout, /-----> Pulling/);
  });

  it('says clearly when the registry refuses the pull', async () => {
    const result = await build(path.join(work, 'data-anonymous'), `FROM ${registry}/some/busybox:tag\n`);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /base image ".*some\/busybox:tag" could not be pulled: .*(unauthorized|401|credentials)/i);
  });
});
