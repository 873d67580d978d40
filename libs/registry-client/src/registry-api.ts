import { Digest, MediaType } from '@berth/layer-store';
import { RegistryAuthenticator } from './auth';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { BodyTooLargeError, readLimitedBytes } from './http-body';
import { discard, HttpTransport } from './transport';

/** Manifests bigger than this are refused before they are buffered (Docker uses the same bound). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

const MANIFEST_ACCEPT = [MediaType.OciIndex, MediaType.DockerManifestList, MediaType.OciManifest, MediaType.DockerManifest].join(', ');

export interface FetchedManifest {
  bytes: Buffer;
  /** Docker-Content-Digest, when the registry sent one. */
  digestHeader?: string;
}

/** The pull half of the distribution API for one registry, with 401s answered by the authenticator. */
export class RegistryApi {
  constructor(
    private readonly transport: HttpTransport,
    private readonly authenticator: RegistryAuthenticator,
    /** `https://registry-1.docker.io` */
    private readonly baseUrl: string,
    /** `docker.io`, for messages. */
    readonly registry: string,
  ) {}

  /** The digest a tag points at, cheaply (HEAD does not count against Docker Hub's pull limit); null if unknown. */
  async headManifest(repository: string, reference: string): Promise<string | null> {
    const response = await this.request('HEAD', repository, `manifests/${reference}`, { accept: MANIFEST_ACCEPT });
    await discard(response);
    return response.ok ? response.headers.get('docker-content-digest') : null;
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const response = await this.request('GET', repository, `manifests/${reference}`, { accept: MANIFEST_ACCEPT });
    if (!response.ok) throw await this.failure(response, repository, `manifest ${reference}`);
    const bytes = await readLimitedBytes(response, MAX_MANIFEST_BYTES).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        throw new RegistryClientError(
          RegistryClientErrorCode.InvalidResponse,
          `the manifest of ${this.registry}/${repository}:${reference} is larger than ${MAX_MANIFEST_BYTES} bytes; it is not an image manifest`,
          { registry: this.registry, repository },
        );
      }
      throw error;
    });
    return { bytes, digestHeader: response.headers.get('docker-content-digest') ?? undefined };
  }

  /** The blob's response, status 200; its body is for the caller to stream and verify. */
  async getBlob(repository: string, digest: Digest): Promise<Response> {
    const response = await this.request('GET', repository, `blobs/${digest}`, {});
    if (!response.ok || response.body === null) throw await this.failure(response, repository, `blob ${digest}`);
    return response;
  }

  private async request(method: 'GET' | 'HEAD', repository: string, path: string, headers: Record<string, string>): Promise<Response> {
    const scope = `repository:${repository}:pull`;
    const url = new URL(`${this.baseUrl}/v2/${repository}/${path}`);
    let response = await this.transport.send({ method, url, headers, authorization: this.authenticator.cached(scope) });
    if (response.status !== 401) return response;
    await discard(response);
    const authorization = await this.authenticator.answer(response.headers.get('www-authenticate'), scope);
    response = await this.transport.send({ method, url, headers, authorization });
    if (response.status !== 401) return response;
    const detail = await registryErrorText(response);
    throw this.authenticator.unauthorized(scope, `it answered 401 to the credentials it issued${detail ? ` (${detail})` : ''}`);
  }

  private async failure(response: Response, repository: string, what: string): Promise<RegistryClientError> {
    const detail = await registryErrorText(response);
    const where = `${this.registry}/${repository}`;
    const details = { registry: this.registry, repository, status: response.status, detail };
    const suffix = detail ? ` (${detail})` : '';
    switch (response.status) {
      case 404:
        return new RegistryClientError(
          RegistryClientErrorCode.ImageNotFound,
          `${where} has no ${what}${suffix}; check the image name and tag (the registry was asked for ${where})`,
          details,
        );
      case 403:
        return new RegistryClientError(
          RegistryClientErrorCode.Unauthorized,
          `${this.registry} denied access to ${repository}${suffix}; check the credentials for "${this.registry}" in BERTH_REGISTRY_AUTH`,
          details,
        );
      case 429:
        return new RegistryClientError(
          RegistryClientErrorCode.RateLimited,
          `${this.registry} is rate-limiting pulls${suffix}; wait and retry, ` +
            `or add credentials for "${this.registry}" to BERTH_REGISTRY_AUTH for a higher limit`,
          details,
        );
      default:
        return new RegistryClientError(
          RegistryClientErrorCode.RegistryError,
          `${this.registry} answered ${response.status} for the ${what} of ${repository}${suffix}; try again later`,
          details,
        );
    }
  }
}

/** The registry's own words from `{"errors": [{"code", "message"}]}`, if it sent them. */
async function registryErrorText(response: Response): Promise<string> {
  const bytes = await readLimitedBytes(response, MAX_ERROR_BODY_BYTES).catch(() => null);
  if (bytes === null || bytes.length === 0) return '';
  try {
    const body = JSON.parse(bytes.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    const errors = Array.isArray(body.errors) ? body.errors : [];
    return errors
      .map((error) => [error.code, error.message].filter((part) => typeof part === 'string').join(': '))
      .filter(Boolean)
      .join('; ')
      .slice(0, 300);
  } catch {
    return '';
  }
}
