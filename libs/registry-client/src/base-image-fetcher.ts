import type { BerthConfig } from '@berth/config';
import type { LayerStore } from '@berth/layer-store';
import { PullProgressEvent } from './progress';
import { ImagePuller, ImagePullerOptions } from './puller';

const MB = 1024 * 1024;

/**
 * The builder's base-image port backed by the registry client: a missing FROM image is
 * pulled once into the store, with one progress line per layer as it completes.
 */
export class RegistryBaseImageFetcher {
  constructor(private readonly options: Omit<ImagePullerOptions, 'onProgress'>) {}

  /** Berth's configuration: credentials, insecure hosts, and its own registry (the api port) resolved locally. */
  static fromConfig(config: BerthConfig, store: LayerStore): RegistryBaseImageFetcher {
    return new RegistryBaseImageFetcher({
      store,
      auth: config.registryClient.auth,
      insecureRegistries: config.registryClient.insecureRegistries,
      localRegistryHosts: [`127.0.0.1:${config.api.port}`, `localhost:${config.api.port}`],
    });
  }

  async fetch(reference: string, progress: (line: string) => void): Promise<string> {
    const puller = new ImagePuller({ ...this.options, onProgress: (event) => report(event, progress) });
    return (await puller.ensure(reference)).reference;
  }
}

function report(event: PullProgressEvent, progress: (line: string) => void): void {
  if (event.type === 'resolved') progress(`-----> Pulling ${event.reference} (${event.platform}, ${event.layers.length} layers)`);
  if (event.type === 'blob' && event.kind === 'layer' && (event.status === 'done' || event.status === 'present')) {
    progress(`       ${event.digest.slice(7, 19)}: ${event.status === 'present' ? 'already here' : `${(event.size / MB).toFixed(1)} MB`}`);
  }
  if (event.type === 'done') progress(`       pulled ${event.reference} (${(event.downloadedBytes / MB).toFixed(1)} MB downloaded)`);
}
