import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { INestApplicationContext } from '@nestjs/common';
import { getRepositoryToken } from '@nestjs/typeorm';
import IORedis from 'ioredis';
import { Repository } from 'typeorm';
import { AppEntity, BuildEntity, BuildSource, BuildStatus } from '@berth/db';
import { JobName, JobQueue, redisOptionsFromUrl } from '@berth/queue';
import { createWorker } from '../../apps/worker/src/main';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

describe('build queue round trip through Redis', () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  let builds: Repository<BuildEntity>;
  let app: AppEntity;

  before(async () => {
    env = await createTestEnv();
    worker = await createWorker({ ...env.config, log: { level: 'silent', pretty: false } });
    builds = worker.get(getRepositoryToken(BuildEntity));
    const apps: Repository<AppEntity> = worker.get(getRepositoryToken(AppEntity));
    app = await apps.save(apps.create({ name: 'queued-app' }));
  });

  after(async () => {
    await worker?.close();
    await env?.dispose();
  });

  async function finishedBuild(id: string): Promise<BuildEntity | undefined> {
    const build = await builds.findOneByOrFail({ id });
    return build.finishedAt ? build : undefined;
  }

  it('a job enqueued with a build id reaches the worker, which records the outcome on the build', async () => {
    const build = await builds.save(builds.create({ appId: app.id, status: BuildStatus.Queued, source: BuildSource.Api }));
    const job = await worker.get(JobQueue).enqueue(JobName.RunBuild, { buildId: build.id }, { jobId: build.id });
    assert.deepEqual(job.data, { buildId: build.id });

    const done = await eventually(() => finishedBuild(build.id), 15_000, 'the worker to finish the build');
    // No builder is wired into the worker yet: the build fails and says why.
    assert.equal(done.status, BuildStatus.Failed);
    assert.match(done.error ?? '', /no image builder/);
    assert.ok(done.startedAt && done.startedAt <= done.finishedAt!);

    const redis = new IORedis(redisOptionsFromUrl(env.config.redis.url));
    try {
      const keys = await redis.keys(`${env.config.redis.prefix}:builds:*`);
      assert.ok(keys.length > 0, 'queue keys live under the configured prefix');
    } finally {
      redis.disconnect();
    }
  });

  it('a job delivered again for a finished build changes nothing', async () => {
    const build = await builds.save(
      builds.create({ appId: app.id, status: BuildStatus.Succeeded, source: BuildSource.Api, imageDigest: 'sha256:' + 'a'.repeat(64), finishedAt: new Date('2026-01-01T00:00:00Z') }),
    );
    const job = await worker.get(JobQueue).enqueue(JobName.RunBuild, { buildId: build.id }, { jobId: `${build.id}-again` });
    await eventually(async () => (await job.isCompleted()) || undefined, 15_000, 'the duplicate job to complete');
    const after = await builds.findOneByOrFail({ id: build.id });
    assert.equal(after.status, BuildStatus.Succeeded);
    assert.equal(after.finishedAt?.toISOString(), '2026-01-01T00:00:00.000Z');
  });
});
