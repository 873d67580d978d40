import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerEngineRuntime, dockerOptions } from './docker-engine.runtime';
import { RuntimeError, RuntimeErrorCode } from './runtime.errors';

describe('dockerOptions', () => {
  it('maps a unix socket URL to its path', () => {
    assert.deepEqual(dockerOptions('unix:///var/run/docker.sock'), { socketPath: '/var/run/docker.sock' });
  });

  it('maps a tcp URL to host and port', () => {
    assert.deepEqual(dockerOptions('tcp://127.0.0.1:2376'), { protocol: 'http', host: '127.0.0.1', port: 2376 });
  });
});

describe('DockerEngineRuntime', () => {
  it('says what to do when the engine is not there', async () => {
    const runtime = new DockerEngineRuntime('unix:///nonexistent/docker.sock', 'test');
    await assert.rejects(runtime.ping(), (error: unknown) => {
      assert.ok(error instanceof RuntimeError);
      assert.equal(error.code, RuntimeErrorCode.EngineUnavailable);
      assert.match(error.message, /start dockerd/);
      return true;
    });
  });
});
