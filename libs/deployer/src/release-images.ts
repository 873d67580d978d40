import type { RegistryCredentials } from '@berth/runtime';

/** Where the engine pulls a release's image from: Berth's own registry, `HOST:PORT/NAME:vN`. */
export interface ReleaseImages {
  reference(app: string, version: number): string;
  credentials(): RegistryCredentials | undefined;
}

export const RELEASE_IMAGES = Symbol('RELEASE_IMAGES');

export class BerthRegistryImages implements ReleaseImages {
  constructor(
    private readonly registryHost: string,
    private readonly token: () => string,
  ) {}

  reference(app: string, version: number): string {
    return `${this.registryHost}/${app}:v${version}`;
  }

  credentials(): RegistryCredentials {
    return { username: 'berth', password: this.token(), serverAddress: this.registryHost };
  }
}
