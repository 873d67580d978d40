import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { AppEntity, ConfigVarEntity, createDataSource, ReleaseStatus } from '@berth/db';
import { ReleasesError, ReleasesService } from '@berth/releases';
import { createTestEnv, TestEnv } from '../support/test-env';

describe('releases', () => {
  let env: TestEnv;
  let dataSource: DataSource;
  let releases: ReleasesService;
  let appId: string;
  const content = (imageDigest: string) => ({ imageDigest, processTypes: { web: 'node server.js' }, description: 'Deploy', createdBy: null });

  before(async () => {
    env = await createTestEnv();
    dataSource = await createDataSource(env.config.databaseUrl).initialize();
    releases = new ReleasesService(dataSource);
    appId = (await dataSource.getRepository(AppEntity).save({ name: 'rel' })).id;
  });

  after(async () => {
    await dataSource?.destroy();
    await env?.dispose();
  });

  it('numbers releases v1, v2, ... per app, even when made at the same time', async () => {
    const made = await Promise.all([1, 2, 3, 4, 5].map((n) => releases.create(appId, content(`sha256:${String(n).repeat(64)}`))));
    assert.deepEqual(made.map((release) => release.version).sort(), [1, 2, 3, 4, 5]);
  });

  it('snapshots the config vars as they are when the release is made', async () => {
    await dataSource.getRepository(ConfigVarEntity).save({ appId, key: 'GREETING', value: 'hi' });
    const release = await releases.create(appId, content(`sha256:${'a'.repeat(64)}`));
    await dataSource.getRepository(ConfigVarEntity).save({ appId, key: 'GREETING', value: 'changed' });
    assert.deepEqual((await releases.get(release.id))?.config, { GREETING: 'hi' });
  });

  it('the current release is the newest deployed one', async () => {
    const list = await releases.list(appId);
    await releases.markStatus(list.find((r) => r.version === 2)!.id, ReleaseStatus.Deployed);
    await releases.markStatus(list.find((r) => r.version === 3)!.id, ReleaseStatus.Failed, 'health check failed');
    const current = await releases.current(appId);
    assert.equal(current?.version, 2);
    assert.ok(current?.deployedAt);
  });

  it('a config change makes a release of the current image with the new config', async () => {
    const current = await releases.current(appId);
    const release = await releases.createForConfigChange(appId, 'Set GREETING', null);
    assert.equal(release.imageDigest, current?.imageDigest);
    assert.deepEqual(release.processTypes, { web: 'node server.js' });
    assert.deepEqual(release.config, { GREETING: 'changed' });
  });

  it('rollback makes a new release from an older one', async () => {
    const rollback = await releases.rollback(appId, 1, null);
    const v1 = (await releases.list(appId)).find((r) => r.version === 1)!;
    assert.equal(rollback.version, 8);
    assert.equal(rollback.imageDigest, v1.imageDigest);
    assert.equal(rollback.description, 'Rollback to v1');
    await assert.rejects(releases.rollback(appId, 99, null), (error: unknown) => error instanceof ReleasesError && /no release v99/.test(error.message));
  });
});
