import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { BerthRegistry, startBerthRegistry } from './support/registries';
import { RegistryHttp } from './support/registry-http';

const MIB = 1024 * 1024;
const LAYER_MIB = 1024;

/** One PATCH with a chunked body and neither Content-Range nor Content-Length: how Docker sends a layer. */
function streamedPatch(registry: BerthRegistry, location: string, auth: string, body: Readable): Promise<http.IncomingMessage> {
  const [host, port] = registry.host.split(':');
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port: Number(port), method: 'PATCH', path: location, headers: { authorization: auth } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response));
    });
    request.on('error', reject);
    pipeline(body, request).catch(reject);
  });
}

describe('registry: a 1 GiB layer pushed like Docker pushes it', () => {
  let registry: BerthRegistry;
  let client: RegistryHttp;

  before(async () => {
    registry = await startBerthRegistry();
    client = new RegistryHttp(registry);
  });

  after(async () => {
    await registry?.stop();
  });

  it('streams to disk with flat memory and becomes a blob without being copied', async (t) => {
    // Node's default 5-minute limit for a whole request would cut off a slow push of a big layer.
    assert.equal(registry.app.getHttpServer().requestTimeout, 0);
    const location = await client.startUpload('big/layer');
    const chunk = Buffer.alloc(MIB);
    for (let offset = 0; offset < MIB; offset += 4) chunk.writeUInt32LE((offset * 2654435761) >>> 0, offset);
    const hash = createHash('sha256');
    async function* layer() {
      for (let index = 0; index < LAYER_MIB; index++) {
        hash.update(chunk);
        yield chunk;
      }
    }
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const started = Date.now();
    const patched = await streamedPatch(registry, location, client.basicAuth, Readable.from(layer()));
    const streamedMs = Date.now() - started;
    assert.equal(patched.statusCode, 202);
    assert.equal(patched.headers['range'], `0-${LAYER_MIB * MIB - 1}`);
    const digest = `sha256:${hash.digest('hex')}`;
    const finishing = Date.now();
    const done = await client.request('PUT', `${location}?digest=${digest}`);
    const finishMs = Date.now() - finishing;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(done.status, 201, done.text);
    const grownMb = (peak - baseline) / 1e6;
    t.diagnostic(`1 GiB PATCH in ${streamedMs} ms, PUT in ${finishMs} ms; rss ${Math.round(baseline / 1e6)} MB -> peak ${Math.round(peak / 1e6)} MB (+${grownMb.toFixed(1)} MB)`);
    assert.ok(grownMb < 200, `rss grew by ${grownMb.toFixed(1)} MB during a 1 GiB upload`);
    const head = await client.request('HEAD', `/v2/big/layer/blobs/${digest}`);
    assert.equal(head.headers.get('content-length'), String(LAYER_MIB * MIB));
    assert.deepEqual(await fs.readdir(registry.uploadsDir), []);
    assert.deepEqual(await fs.readdir(registry.store.layout.tmpDir), []);
    await registry.store.blobs.remove(digest as `sha256:${string}`);
  });
});
