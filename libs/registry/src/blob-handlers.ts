import { Digest, LayerStoreErrorCode } from '@berth/layer-store';
import { parseDigestParam } from './names';
import { parseRangeHeader } from './ranges';
import { header, RegistryRequest } from './registry-context';
import { RegistryError, RegistryErrorCode } from './registry.errors';
import { sendEmpty } from './responses';
import { sendBlob } from './send-blob';
import { fromStore } from './store-errors';

/**
 * `GET|HEAD /v2/<name>/blobs/<digest>`, with single byte ranges. Blobs are global in the store,
 * so any repository name serves any blob: a layer pushed once is one copy for every app.
 */
export async function getBlob({ request, response, deps, reference }: RegistryRequest): Promise<void> {
  const digest = parseDigestParam(decodeReference(reference), 'blob digest');
  const info = await deps.store.blobs.statIfExists(digest);
  if (info === null) throw blobUnknown(digest);
  const range = parseRangeHeader(header(request, 'range'), info.size);
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
    // Content-addressed: the bytes behind a digest never change.
    'Cache-Control': 'max-age=31536000',
  };
  if (request.method === 'HEAD') {
    response.writeHead(200, { ...headers, 'Content-Length': info.size });
    response.end();
    return;
  }
  // Opened before the status goes out, so a blob collected meanwhile is still a clean 404.
  const span = await fromStore(deps.store.blobs.openSpan(digest, range ?? undefined), {
    [LayerStoreErrorCode.BlobNotFound]: RegistryErrorCode.BlobUnknown,
  });
  if (range === null) {
    response.writeHead(200, { ...headers, 'Content-Length': info.size });
  } else {
    response.writeHead(206, {
      ...headers,
      'Content-Length': range.end - range.start + 1,
      'Content-Range': `bytes ${range.start}-${range.end}/${info.size}`,
    });
  }
  try {
    await sendBlob(span, response);
    response.end();
  } catch {
    // A client that hangs up mid-blob is not the registry's failure; the status is already out.
    response.destroy();
  } finally {
    await span.close();
  }
}

/** Blobs are shared by every repository and reclaimed by GC once nothing references them. */
export async function deleteBlob(): Promise<void> {
  throw new RegistryError(
    RegistryErrorCode.Unsupported,
    'blobs are shared by all repositories and removed by garbage collection; delete the manifest (or tag) instead',
    { headers: { Allow: 'GET, HEAD' } },
  );
}

export function blobUnknown(digest: Digest): RegistryError {
  return new RegistryError(RegistryErrorCode.BlobUnknown, `blob ${digest} is not in this registry`, { detail: { digest } });
}

export function blobCreated(response: RegistryRequest['response'], name: string, digest: Digest): void {
  sendEmpty(response, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
}

/** Some clients percent-encode the colon of a digest in the path. */
export function decodeReference(reference: string): string {
  try {
    return decodeURIComponent(reference);
  } catch {
    return reference;
  }
}
