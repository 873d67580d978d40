import type { Digest, LayerStore } from '@berth/layer-store';
import type { RegistryCredentials } from '@berth/runtime';

/** Where the engine pulls a release's image from: Berth's own registry, `HOST:PORT/NAME:vN`. */
export interface ReleaseImages {
  /** Makes the release's image available as `NAME:vN` in the registry. */
  publish(app: string, version: number, imageDigest: string): Promise<void>;
  reference(app: string, version: number): string;
  credentials(): RegistryCredentials | undefined;
}

export const RELEASE_IMAGES = Symbol('RELEASE_IMAGES');

export class BerthRegistryImages implements ReleaseImages {
  constructor(
    private readonly store: LayerStore,
    private readonly registryHost: string,
    private readonly token: () => string,
  ) {}

  async publish(app: string, version: number, imageDigest: string): Promise<void> {
    await this.store.tag(`${app}:v${version}`, imageDigest as Digest);
  }

  reference(app: string, version: number): string {
    return `${this.registryHost}/${app}:v${version}`;
  }

  credentials(): RegistryCredentials {
    return { username: 'berth', password: this.token(), serverAddress: this.registryHost };
  }
}
