import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { loadConfig } from '@berth/config';
import { DockerEngineRuntime, dockerOptions } from '@berth/runtime';
import { ensureBusyboxImage } from '../support/busybox-image';
import { eventually, freePort } from '../support/test-env';

describe('Docker Engine runtime (real dockerd)', () => {
  const dockerHost = loadConfig(process.env).dockerHost;
  const runtime = new DockerEngineRuntime(dockerHost, `rt-test-${randomUUID().slice(0, 8)}`);
  const app = `rt-${randomUUID().slice(0, 8)}`;
  let image: string;
  const spec = (port: number) => ({
    app,
    instanceId: randomUUID(),
    releaseId: randomUUID(),
    version: 3,
    process: 'web',
    image,
    command: 'echo "listening on $PORT as $GREETING"; exec busybox httpd -f -p $PORT -h /',
    env: { GREETING: 'hello' },
    port,
    memoryBytes: 64 * 1024 * 1024,
  });

  before(async () => {
    image = await ensureBusyboxImage(new Docker(dockerOptions(dockerHost)));
  });

  after(async () => {
    await runtime.removeAppContainers(app);
  });

  it('starts an instance on the host network with PORT, config env, labels and limits', async () => {
    const port = await freePort();
    const id = await runtime.startInstance(spec(port));
    const response = await eventually(() => fetch(`http://127.0.0.1:${port}/`).catch(() => undefined), 10_000, 'the instance to answer');
    assert.ok(response.status < 500);
    const state = await runtime.inspectContainer(id);
    assert.equal(state?.running, true);
    assert.equal(state?.labels['berth.app'], app);
    assert.equal(state?.labels['berth.version'], '3');
    assert.equal(state?.labels['berth.port'], String(port));
    const logs = await text(await runtime.containerLogs(id, { follow: false }));
    assert.match(logs, new RegExp(`listening on ${port} as hello`));
    const inspected = await new Docker(dockerOptions(dockerHost)).getContainer(id).inspect();
    assert.equal(inspected.HostConfig.NetworkMode, 'host');
    assert.equal(inspected.HostConfig.RestartPolicy?.Name, 'unless-stopped');
    assert.equal(inspected.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(inspected.HostConfig.LogConfig?.Config?.['max-size'], '10m');
  });

  it('runs a one-off command to completion and reports its exit code and output', async () => {
    const { port: _port, ...rest } = spec(0);
    const result = await runtime.runOnce({ ...rest, process: 'release', command: 'echo "migrating with $GREETING"; exit 3' });
    assert.equal(result.exitCode, 3);
    assert.match(result.output, /migrating with hello/);
  });

  it('stops, lists and removes an app\'s containers', async () => {
    const containers = await runtime.listAppContainers(app);
    assert.equal(containers.length, 1, 'the one-off container was removed');
    await runtime.stopContainer(containers[0].id, 1);
    assert.equal((await runtime.inspectContainer(containers[0].id))?.running, false);
    assert.equal(await runtime.removeAppContainers(app), 1);
    assert.equal(await runtime.inspectContainer(containers[0].id), null);
  });
});
