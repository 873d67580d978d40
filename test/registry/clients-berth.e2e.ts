import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientContext, defineClientTests } from './support/client-suite';
import { startBerthRegistry } from './support/registries';

describe("docker and skopeo against Berth's registry", () => {
  const context = clientContext(startBerthRegistry);
  defineClientTests(context);

  it('kept what the clients pushed in the layer store: tags per repository, each blob once', async () => {
    const { store } = context.target;
    const tags = (await store.images.listTags()).map((entry) => entry.reference).sort();
    assert.deepEqual(tags, ['berth-e2e/app:v1', 'berth-e2e/app:v2', 'berth-e2e/multi:1', 'berth-e2e/oci:v1']);
    const app = await store.images.resolveImage('berth-e2e/app:v1');
    for (const layer of app.manifest.layers) assert.equal(await store.blobs.has(layer.digest), true);
    // Blob files are named by digest, so a second copy of a layer cannot exist; uploads left nothing behind.
    assert.deepEqual(await context.target.uploads.collectAbandoned(0), []);
  });
});
