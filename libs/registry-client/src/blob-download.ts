import { Descriptor, Digest, LayerStore, LayerStoreError, LayerStoreErrorCode } from '@berth/layer-store';
import { DomainError } from '@berth/errors';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { BlobKind, PullProgressListener } from './progress';
import { RegistryApi } from './registry-api';
import { HttpTransport, networkReason } from './transport';

export interface BlobRequest {
  api: RegistryApi;
  repository: string;
  descriptor: Descriptor;
  kind: BlobKind;
  /** Canonical reference, for progress events and messages. */
  reference: string;
}

/**
 * Streams blobs into the layer store, which hashes while writing and keeps nothing that does
 * not match. Concurrent requests for one digest share a single download.
 */
export class BlobDownloader {
  private readonly inFlight = new Map<Digest, Promise<number>>();

  constructor(
    private readonly store: LayerStore,
    private readonly transport: HttpTransport,
    private readonly onProgress: PullProgressListener,
  ) {}

  /** Bytes downloaded: 0 when the store already had the blob. */
  async ensure(request: BlobRequest): Promise<number> {
    const { digest } = request.descriptor;
    const running = this.inFlight.get(digest);
    if (running !== undefined) return running.then(() => 0);
    const download = this.ensureOnce(request).finally(() => this.inFlight.delete(digest));
    this.inFlight.set(digest, download);
    return download;
  }

  private async ensureOnce(request: BlobRequest): Promise<number> {
    const { digest, size } = request.descriptor;
    if (await this.store.blobs.has(digest)) {
      this.emit(request, size, 'present');
      return 0;
    }
    const { attempts } = this.transport.retry;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.downloadOnce(request);
        this.emit(request, size, 'done');
        return size;
      } catch (error) {
        // Only a transfer that broke mid-body is retried here; the transport already retried the request itself.
        if (error instanceof DomainError) throw translate(error, request);
        if (attempt >= attempts) throw brokenTransfer(request, error);
        this.emit(request, 0, 'retrying');
        await this.transport.backoff(attempt);
      }
    }
  }

  private async downloadOnce(request: BlobRequest): Promise<void> {
    const { digest } = request.descriptor;
    const response = await request.api.getBlob(request.repository, digest);
    const body = response.body as ReadableStream<Uint8Array>;
    await this.store.blobs.writeBlob(this.counted(body, request), digest);
  }

  private async *counted(body: ReadableStream<Uint8Array>, request: BlobRequest): AsyncGenerator<Uint8Array> {
    const { size } = request.descriptor;
    let downloaded = 0;
    this.emit(request, 0, 'downloading');
    for await (const chunk of body) {
      downloaded += chunk.length;
      // A server that sends more than the manifest promised is cut off before it fills the disk.
      if (downloaded > size) throw oversized(request, size);
      this.emit(request, downloaded, 'downloading');
      yield chunk;
    }
  }

  private emit(request: BlobRequest, downloaded: number, status: 'present' | 'downloading' | 'retrying' | 'done'): void {
    const { digest, size } = request.descriptor;
    this.onProgress({ type: 'blob', reference: request.reference, kind: request.kind, digest, size, downloaded, status });
  }
}

function translate(error: DomainError, request: BlobRequest): DomainError {
  if (!(error instanceof LayerStoreError) || error.code !== LayerStoreErrorCode.DigestMismatch) return error;
  const { digest } = request.descriptor;
  return new RegistryClientError(
    RegistryClientErrorCode.DigestMismatch,
    `the ${request.kind} ${digest} of ${request.reference} that ${request.api.registry} sent does not match its digest ` +
      `(${String(error.details?.['actual'] ?? 'other content')}); nothing was stored. ` +
      'The registry or a proxy served corrupt data: try again, and check the registry if it persists',
    { reference: request.reference, digest, actual: error.details?.['actual'] },
  );
}

function oversized(request: BlobRequest, size: number): RegistryClientError {
  return new RegistryClientError(
    RegistryClientErrorCode.DigestMismatch,
    `${request.api.registry} sent more than the ${size} bytes the manifest gives for ${request.kind} ` +
      `${request.descriptor.digest} of ${request.reference}; nothing was stored`,
    { reference: request.reference, digest: request.descriptor.digest, size },
  );
}

function brokenTransfer(request: BlobRequest, error: unknown): RegistryClientError {
  const reason = networkReason(error);
  return new RegistryClientError(
    RegistryClientErrorCode.Unreachable,
    `the download of ${request.kind} ${request.descriptor.digest} from ${request.api.registry} kept breaking off (${reason}); ` +
      'check the network between this machine and the registry, then try again',
    { registry: request.api.registry, digest: request.descriptor.digest, reason },
  );
}
