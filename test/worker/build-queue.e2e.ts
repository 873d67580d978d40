import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INestApplicationContext } from '@nestjs/common';
import { getRepositoryToken } from '@nestjs/typeorm';
import IORedis from 'ioredis';
import { Repository } from 'typeorm';
import { BuildLogs } from '@berth/builds';
import { AppEntity, BuildEntity, BuildSource, BuildStatus } from '@berth/db';
import { GitRepositories } from '@berth/git';
import { JobName, JobQueue, redisOptionsFromUrl } from '@berth/queue';
import { createWorker } from '../../apps/worker/src/main';
import { MaintenanceService } from '../../apps/worker/src/maintenance.service';
import { LayerStore } from '@berth/layer-store';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

const isRoot = process.getuid?.() === 0;

describe('build queue: a job carries a build id through Redis to the worker, which builds the commit', { skip: !isRoot && 'builds need root (overlayfs, runc)' }, () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  let builds: Repository<BuildEntity>;
  let app: AppEntity;
  let work: string;

  /** Commits `files` in a work tree and pushes it to the app's bare repository; answers the commit. */
  async function pushCommit(files: Record<string, string>): Promise<string> {
    for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(work, name), content);
    const git = (...args: string[]) => execFileSync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { encoding: 'utf8' });
    git('add', '-A');
    git('commit', '-qm', 'change');
    git('push', '-q', new GitRepositories(env.config.dataDir).path(app.name), 'main');
    return git('rev-parse', 'HEAD').trim();
  }

  async function runBuild(commitSha: string): Promise<BuildEntity> {
    const build = await builds.save(builds.create({ appId: app.id, status: BuildStatus.Queued, source: BuildSource.Api, commitSha, branch: 'main' }));
    await worker.get(JobQueue).enqueue(JobName.RunBuild, { buildId: build.id }, { jobId: build.id });
    return eventually(async () => {
      const current = await builds.findOneByOrFail({ id: build.id });
      return current.finishedAt ? current : undefined;
    }, 60_000, 'the worker to finish the build');
  }

  before(async () => {
    env = await createTestEnv();
    worker = await createWorker({ ...env.config, log: { level: 'silent', pretty: false } });
    builds = worker.get(getRepositoryToken(BuildEntity));
    const apps: Repository<AppEntity> = worker.get(getRepositoryToken(AppEntity));
    app = await apps.save(apps.create({ name: 'queued-app' }));
    await new GitRepositories(env.config.dataDir).create(app.name);
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-work-'));
    execFileSync('git', ['init', '-q', '--initial-branch=main', work]);
  });

  after(async () => {
    await worker?.close();
    await env?.dispose();
    await fs.rm(work, { recursive: true, force: true });
  });

  it('builds the pushed commit, records the image digest and writes the log to a file', async () => {
    const commit = await pushCommit({ 'hello.txt': 'hello\n', Dockerfile: 'FROM scratch\nCOPY hello.txt /hello.txt\n' });
    const done = await runBuild(commit);
    assert.equal(done.status, BuildStatus.Succeeded, done.error ?? '');
    assert.match(done.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.ok(done.startedAt && done.startedAt <= done.finishedAt!);
    const log = await fs.readFile(new BuildLogs(env.config.dataDir).path(done.id), 'utf8');
    assert.match(log, /Step 2\/2 : COPY hello.txt \/hello.txt/);
    assert.match(log, new RegExp(`-----> Built ${done.imageDigest}`));

    const redis = new IORedis(redisOptionsFromUrl(env.config.redis.url));
    try {
      assert.ok((await redis.keys(`${env.config.redis.prefix}:builds:*`)).length > 0, 'queue keys live under the configured prefix');
    } finally {
      redis.disconnect();
    }
  });

  it('records a failing build with its reason, in the build and in its log', async () => {
    const commit = await pushCommit({ Dockerfile: 'FROM scratch\nCOPY missing.txt /\n' });
    const done = await runBuild(commit);
    assert.equal(done.status, BuildStatus.Failed);
    assert.match(done.error ?? '', /missing.txt/);
    assert.match(await fs.readFile(new BuildLogs(env.config.dataDir).path(done.id), 'utf8'), /-----> Build failed: .*missing.txt/);
  });

  it('builds of one app never overlap, even with free worker slots', async () => {
    const commit = await pushCommit({ Dockerfile: 'FROM scratch\nCOPY Dockerfile /a\n', 'slow.txt': 'x' });
    const [a, b] = await Promise.all([runBuild(commit), runBuild(commit)]);
    const [first, second] = [a, b].sort((x, y) => x.startedAt!.getTime() - y.startedAt!.getTime());
    assert.equal(first.status, BuildStatus.Succeeded);
    assert.ok(second.startedAt!.getTime() >= first.finishedAt!.getTime(), 'the second build started after the first finished');
  });

  it('hourly maintenance collects garbage but keeps what tags and releases need', async () => {
    const built = (await builds.find({ where: { status: BuildStatus.Succeeded } }))[0];
    await worker.get(MaintenanceService).run();
    const store = await LayerStore.open({ root: path.join(env.config.dataDir, 'layers') });
    assert.equal(await store.resolve(`${app.name}:build-${built.id}`), built.imageDigest, 'the tagged build image survives');
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
