import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { LOG_STORE, LogCollectionService, LogLine, LogStore } from '@berth/app-logs';
import { DockerEngineRuntime, RuntimeModule, dockerOptions } from '@berth/runtime';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { ensureBusyboxImage } from '../support/busybox-image';
import { createTestEnv, eventually, freePort, TestEnv } from '../support/test-env';
import { instanceSpec, SseReader, startCollector } from './support';

describe('app logs: collection, storage and the logs API (real Docker, Postgres, Redis)', () => {
  let env: TestEnv;
  let api: NestExpressApplication;
  let apiUrl: string;
  let collector: INestApplicationContext | undefined;
  let runtime: DockerEngineRuntime;
  let image: string;
  const apps: string[] = [];
  const runtimeModule = () => RuntimeModule.forRoot(env.config.dockerHost, env.config.installationId);
  const auth = () => ({ Authorization: `Bearer ${env.adminToken}` });

  async function createApp(name: string): Promise<string> {
    const response = await fetch(`${apiUrl}/api/apps`, { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) });
    assert.equal(response.status, 201);
    apps.push(name);
    return name;
  }

  async function logs(app: string, query = ''): Promise<LogLine[]> {
    const response = await fetch(`${apiUrl}/api/apps/${app}/logs?${query}`, { headers: auth() });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { lines: LogLine[] }).lines;
  }

  /** Every stored line of an app, paging with the `after` cursor as a client would. */
  async function allLines(app: string, query = ''): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    for (;;) {
      const page = await logs(app, `tail=10000&${query}&after=${lines.length ? lines[lines.length - 1].id : 0}`);
      lines.push(...page);
      if (page.length < 10000) return lines;
    }
  }

  before(async () => {
    env = await createTestEnv();
    const config = { ...env.config, log: { level: 'silent', pretty: false } };
    image = await ensureBusyboxImage(new Docker(dockerOptions(config.dockerHost)));
    runtime = new DockerEngineRuntime(config.dockerHost, config.installationId);
    const port = await freePort();
    api = await createApiApp(config);
    await api.listen(port, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${port}`;
    collector = await startCollector(config, runtimeModule());
  });

  after(async () => {
    // Forced removal: `sleep` as PID 1 ignores SIGTERM, and a graceful stop would wait 10 s each.
    for (const container of await runtime.listInstallationContainers()) await runtime.removeContainer(container.id);
    await collector?.close();
    await api?.close();
    await env?.dispose();
  });

  it('keeps what a container printed after the container is removed, with its origin', async () => {
    const app = await createApp('logs-removed');
    const spec = instanceSpec(app, image, 'echo "to stdout"; echo "to stderr" >&2; sleep 3600', 4);
    const id = await runtime.startInstance(spec);
    await eventually(async () => (await logs(app)).length >= 2, 10_000, 'both lines to be stored');
    await runtime.removeContainer(id);
    assert.equal(await runtime.inspectContainer(id), null, 'the container is gone');
    const lines = (await logs(app, 'stream=stdout')).concat(await logs(app, 'stream=stderr'));
    assert.deepEqual(
      lines.map(({ message, stream, release, process, instance }) => ({ message, stream, release, process, instance })),
      [
        { message: 'to stdout', stream: 'stdout', release: 4, process: 'web', instance: spec.instanceId },
        { message: 'to stderr', stream: 'stderr', release: 4, process: 'web', instance: spec.instanceId },
      ],
    );
    assert.match(lines[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    assert.deepEqual(await logs(app, 'release=3'), [], 'the release filter applies');
    assert.deepEqual(await logs(app, 'process=worker'), [], 'the process filter applies');
  });

  it('collects with one worker per installation: a second one waits for the lease and stores nothing twice', async () => {
    const app = await createApp('logs-lease');
    const second = await startCollector({ ...env.config, log: { level: 'silent', pretty: false } }, runtimeModule(), { waitForLease: false });
    try {
      await runtime.startInstance(instanceSpec(app, image, 'seq 1 50; sleep 3600'));
      await eventually(async () => (await logs(app)).length >= 50, 10_000, '50 lines');
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.equal(second.get(LogCollectionService).collector.running, false, 'the second worker does not collect');
      assert.deepEqual((await logs(app)).map((line) => line.message), Array.from({ length: 50 }, (_, i) => String(i + 1)));
    } finally {
      await second.close();
    }
  });

  it('follows with SSE: the tail first, then a new line within 1 s of Docker stamping it', async () => {
    const app = await createApp('logs-follow');
    await runtime.startInstance(instanceSpec(app, image, 'echo early; sleep 2; echo late; sleep 3600'));
    await eventually(async () => (await logs(app)).length === 1, 10_000, 'the first line');
    const abort = new AbortController();
    // EventSource cannot send headers: the token rides in the URL, accepted for follow streams only.
    const response = await fetch(`${apiUrl}/api/apps/${app}/logs?follow=1&tail=5&access_token=${env.adminToken}`, { signal: abort.signal });
    try {
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
      const reader = new SseReader(response.body!);
      const late = await eventually(async () => reader.lines.find((line) => line.message === 'late'), 10_000, 'the late line on the stream');
      assert.equal(reader.lines[0].message, 'early', 'the tail comes first');
      const delay = late.receivedAt - Date.parse(late.time);
      assert.ok(delay < 1000, `the line arrived ${delay} ms after Docker stamped it`);
      assert.equal(new Set(reader.lines.map((line) => line.id)).size, reader.lines.length, 'no line twice');
    } finally {
      abort.abort();
    }
    const withoutFollow = await fetch(`${apiUrl}/api/apps/${app}/logs?access_token=${env.adminToken}`);
    assert.equal(withoutFollow.status, 401, 'a token in the URL is refused outside follow streams');
  });

  it('resumes after Last-Event-ID without a gap or a repeat, and answers errors per the SPEC', async () => {
    const app = await createApp('logs-resume');
    await runtime.startInstance(instanceSpec(app, image, 'seq 1 30; sleep 3600'));
    const stored = await eventually(async () => ((await logs(app)).length === 30 ? logs(app) : undefined), 10_000, '30 lines');
    const abort = new AbortController();
    const response = await fetch(`${apiUrl}/api/apps/${app}/logs?follow=1`, { headers: { ...auth(), 'Last-Event-ID': stored[9].id }, signal: abort.signal });
    const reader = new SseReader(response.body!);
    await eventually(async () => reader.lines.length >= 20, 5_000, 'the 20 lines after the cursor');
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort();
    assert.deepEqual(reader.lines.map((line) => line.message), stored.slice(10).map((line) => line.message));
    assert.equal((await fetch(`${apiUrl}/api/apps/nope/logs`, { headers: auth() })).status, 404);
    const bad = await fetch(`${apiUrl}/api/apps/${app}/logs?tail=20000`, { headers: auth() });
    assert.equal(bad.status, 422);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /^tail: /);
    assert.equal((await fetch(`${apiUrl}/api/apps/${app}/logs`)).status, 401);
  });

  it('reports a crash with its exit code in the same stream, marked as Berth\'s', async () => {
    const app = await createApp('logs-crash');
    const spec = instanceSpec(app, image, 'echo "about to fail"; sleep 1; exit 3', 2);
    await runtime.startInstance(spec);
    const event = await eventually(async () => (await logs(app, 'stream=berth')).find((line) => /crashed with exit code 3/.test(line.message)), 15_000, 'the crash event');
    assert.equal(event.instance, spec.instanceId);
    assert.equal(event.release, 2);
    const all = await logs(app);
    assert.ok(all.findIndex((line) => line.message === 'about to fail') < all.findIndex((line) => line.id === event.id), 'the event follows the last output');
    await runtime.removeAppContainers(app);
  });

  it('reports a stop Berth asked for as stopped, not as a crash, even when the container is removed at once', async () => {
    const app = await createApp('logs-stop');
    const id = await runtime.startInstance(instanceSpec(app, image, "trap 'exit 0' TERM; echo up; sleep 3600 & wait"));
    await eventually(async () => (await logs(app)).length === 1, 10_000, 'the first line');
    await runtime.stopContainer(id, 5);
    await runtime.removeContainer(id);
    const event = await eventually(async () => (await logs(app, 'stream=berth'))[0], 10_000, 'the stop event');
    assert.match(event.message, /stopped \(exit code 0\)$/);
  });

  it('reports an OOM kill in the container as Berth\'s event', async () => {
    const app = await createApp('logs-oom');
    const spec = { ...instanceSpec(app, image, 'head -c 200m /dev/zero | tail; echo survived; sleep 3600'), memoryBytes: 16 * 1024 * 1024 };
    await runtime.startInstance(spec);
    const event = await eventually(async () => (await logs(app, 'stream=berth')).find((line) => /OOM-killed/.test(line.message)), 15_000, 'the OOM event');
    assert.equal(event.instance, spec.instanceId);
    assert.equal(event.process, 'web');
  });

  it('loses and repeats no line across a collector restart, and reads a container that ran while it was down', async () => {
    const app = await createApp('logs-restart');
    const script = 'i=1; while [ $i -le 3000 ]; do echo "n$i"; if [ $((i % 100)) -eq 0 ]; then sleep 0.1; fi; i=$((i+1)); done; sleep 3600';
    await runtime.startInstance(instanceSpec(app, image, script));
    await eventually(async () => (await logs(app, 'tail=1')).length === 1, 10_000, 'the first lines');
    await collector!.close();
    collector = undefined;
    const storedAtStop = (await allLines(app)).length;
    const whileDown = await runtime.startInstance(instanceSpec(app, image, 'echo "printed while Berth was down"; sleep 3600'));
    await eventually(async () => /printed while/.test((await runtime.containerLogs(whileDown, { follow: false }).then(async (s) => (await s.toArray()).join(''))) ?? ''), 5_000, 'the second container to print');
    await runtime.stopContainer(whileDown, 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    collector = await startCollector({ ...env.config, log: { level: 'silent', pretty: false } }, runtimeModule());
    const lines = await eventually(async () => {
      const all = await allLines(app, 'stream=stdout');
      return all.filter((line) => line.message.startsWith('n')).length >= 3000 && all.length >= 3001 ? all : undefined;
    }, 20_000, 'all 3000 numbered lines');
    assert.ok(storedAtStop > 0 && storedAtStop < 3000, `the collector stopped mid-stream (${storedAtStop} lines stored)`);
    const numbered = lines.filter((line) => line.message.startsWith('n')).map((line) => line.message);
    assert.deepEqual(numbered, Array.from({ length: 3000 }, (_, i) => `n${i + 1}`));
    assert.equal(lines.filter((line) => line.message === 'printed while Berth was down').length, 1);
  });

  it('stores a burst of 20,000 lines in a second completely, while the API keeps answering', async () => {
    const app = await createApp('logs-burst');
    const latencies: number[] = [];
    let bursting = true;
    const probe = (async () => {
      while (bursting) {
        const started = Date.now();
        await logs(app, 'tail=10');
        latencies.push(Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = Date.now();
    await runtime.startInstance(instanceSpec(app, image, 'seq 1 20000; sleep 3600'));
    let seen = 0;
    const lines = await eventually(async () => {
      const all = await allLines(app);
      seen = all.length;
      return all.length >= 20000 ? all : undefined;
    }, 30_000, '20,000 lines').catch((error: Error) => {
      throw new Error(`${error.message} (${seen} stored)`);
    });
    const elapsed = Date.now() - started;
    bursting = false;
    await probe;
    assert.deepEqual(lines.map((line) => line.message), Array.from({ length: 20000 }, (_, i) => String(i + 1)));
    const worst = Math.max(...latencies);
    console.log(`burst: 20000 lines stored ${elapsed} ms after start; API worst ${worst} ms over ${latencies.length} requests`);
    assert.ok(worst < 1000, `the API answered within ${worst} ms during the burst`);
  });

  it('retention keeps the newest lines per app and drops the lines of deleted apps', async () => {
    const store = api.get<LogStore>(LOG_STORE);
    await store.prune(1000);
    const kept = await allLines('logs-burst');
    assert.equal(kept.length, 1000);
    assert.equal(kept[kept.length - 1].message, '20000');
    await fetch(`${apiUrl}/api/apps/logs-removed`, { method: 'DELETE', headers: auth() });
    await store.prune(1000);
    assert.deepEqual(await store.query({ app: 'logs-removed' }, { tail: 10 }), []);
  });
});
