import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Digest, LayerStore } from '@berth/layer-store';

/** Where a layer's gzipped blob is in the store. */
export interface LayerBlob {
  digest: Digest;
  size: number;
}

/** A step's layer: its DiffID (all the next step needs) now, its blob once gzipped and stored. */
export interface PackedLayer {
  diffId: Digest;
  blob: Promise<LayerBlob>;
}

/**
 * Layers up to this size (uncompressed tar) are held in memory and gzipped while the next steps
 * run; bigger ones stream from disk into the store before the step ends, as they always did.
 */
export const MAX_BACKGROUND_LAYER_BYTES = 16 * 1024 * 1024;

/**
 * Packs a step's upper dir. The tar is read (every file once) and hashed before this returns, so
 * the upper dir can become the snapshot at once; a small layer is gzipped and stored in the
 * background (zlib runs on libuv's thread pool, beside the next RUN's container or COPY): the
 * next step only needs the DiffID, for the ChainID, and the image's manifest waits for the blob.
 */
export async function packLayer(store: LayerStore, tar: Readable, maxBuffered = MAX_BACKGROUND_LAYER_BYTES): Promise<PackedLayer> {
  const chunks: Buffer[] = [];
  const diffHash = createHash('sha256');
  let bytes = 0;
  const iterator = tar[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    chunks.push(next.value);
    diffHash.update(next.value);
    bytes += next.value.length;
    if (bytes > maxBuffered) {
      const written = await store.writeLayer(Readable.from(concat(chunks, iterator)));
      return { diffId: written.diffId, blob: Promise.resolve({ digest: written.digest, size: written.size }) };
    }
  }
  const diffId: Digest = `sha256:${diffHash.digest('hex')}`;
  const blob = store.writeLayer(Readable.from(chunks)).then((written) => {
    if (written.diffId !== diffId) throw new Error(`layer ${written.digest} hashed to ${written.diffId} when stored, ${diffId} when packed`);
    return { digest: written.digest, size: written.size };
  });
  return { diffId, blob };
}

async function* concat(first: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* first;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

/**
 * Work a build started and did not wait for (layer blobs being stored). A failure surfaces when
 * something awaits it, or at settle(); until then it is marked handled so it cannot take down a
 * build daemon as an unhandled rejection.
 */
export class BackgroundWork {
  private readonly running: Promise<unknown>[] = [];

  track<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined);
    this.running.push(work);
    return work;
  }

  /** Waits for everything tracked; throws the first failure. */
  async settle(): Promise<void> {
    const results = await Promise.allSettled(this.running);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
