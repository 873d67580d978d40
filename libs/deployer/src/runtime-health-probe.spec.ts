import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerRuntime, ContainerState } from '@berth/runtime';
import { RuntimeHealthProbe } from './runtime-health-probe';

const target = { containerId: 'c-1', port: 2001, process: 'web', usesImageHealthcheck: false };

function probeWith(answer: number | Error, health?: ContainerState['health']) {
  const asked: string[] = [];
  const runtime = { inspectContainer: async () => ({ id: 'c-1', labels: {}, running: true, exitCode: null, oomKilled: false, health }) } as unknown as ContainerRuntime;
  const fetchFn = (async (url: string) => {
    asked.push(url);
    if (answer instanceof Error) throw answer;
    return new Response('x', { status: answer });
  }) as typeof fetch;
  return { probe: new RuntimeHealthProbe(runtime, fetchFn), asked };
}

describe('RuntimeHealthProbe.checkOnce', () => {
  it('passes a web instance answering GET / below 500, on its own port', async () => {
    const { probe, asked } = probeWith(404);
    assert.equal(await probe.checkOnce(target), true);
    assert.deepEqual(asked, ['http://127.0.0.1:2001/']);
  });

  it('says what failed: a 5xx answer or no answer', async () => {
    assert.equal(await probeWith(502).probe.checkOnce(target), 'GET / answered 502');
    assert.equal(await probeWith(new Error('connect ECONNREFUSED')).probe.checkOnce(target), 'GET / failed: connect ECONNREFUSED');
  });

  it('leaves the verdict to Docker when the image has a HEALTHCHECK, without calling the app', async () => {
    const unhealthy = probeWith(200, 'unhealthy');
    assert.equal(await unhealthy.probe.checkOnce({ ...target, usesImageHealthcheck: true }), 'HEALTHCHECK says unhealthy');
    assert.deepEqual(unhealthy.asked, []);
    assert.equal(await probeWith(500, 'healthy').probe.checkOnce({ ...target, usesImageHealthcheck: true }), true);
  });
});
