import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after } from 'node:test';
import {
  buildImageConfig,
  buildImageManifest,
  Descriptor,
  Digest,
  encodeImageConfig,
  encodeManifest,
  LayerStore,
  MediaType,
  Platform,
  sha256Digest,
} from '@berth/layer-store';
import { FetchFunction } from './transport';

export async function openTempStore(): Promise<LayerStore> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-client-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return LayerStore.open({ root: join(dir, 'store') });
}

export interface SeenRequest {
  method: string;
  url: URL;
  authorization?: string;
}

export interface TestImage {
  manifest: Descriptor;
  manifestBytes: Buffer;
  config: Descriptor;
  layers: Descriptor[];
}

type Handler = (request: SeenRequest) => Response | Error | undefined;

/**
 * An in-memory v2 registry at https://registry.example with a token service at
 * https://auth.example, answering through an injected fetch. Tests add handlers in front
 * of it to inject failures.
 */
export class FakeRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, Buffer>();
  readonly tags = new Map<string, Digest>();
  readonly seen: SeenRequest[] = [];
  readonly overrides: Handler[] = [];
  allowAnonymous = true;
  users: Record<string, string> = {};
  tokensIssued = 0;

  readonly fetch: FetchFunction = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const request = { method: init?.method ?? 'GET', url: new URL(String(input)), authorization: headers['authorization'] };
    this.seen.push(request);
    for (const handler of this.overrides) {
      const answer = handler(request);
      if (answer instanceof Error) throw answer;
      if (answer !== undefined) return answer;
    }
    return request.url.host === 'auth.example' ? this.token(request) : this.serve(request);
  }) as FetchFunction;

  addBlob(bytes: Buffer): Descriptor {
    const digest = sha256Digest(bytes);
    this.blobs.set(digest, bytes);
    return { mediaType: MediaType.OciLayerGzip, digest, size: bytes.length };
  }

  addManifest(repository: string, bytes: Buffer, tag?: string): Digest {
    const digest = sha256Digest(bytes);
    this.manifests.set(`${repository}@${digest}`, bytes);
    if (tag !== undefined) this.tags.set(`${repository}:${tag}`, digest);
    return digest;
  }

  /** A one-layer image whose layer is random bytes (pulling never unpacks it). */
  addImage(repository: string, options: { tag?: string; platform?: Platform; layers?: Descriptor[] } = {}): TestImage {
    const layers = options.layers ?? [this.addBlob(gzipSync(randomBytes(3000)))];
    const architecture = options.platform?.architecture ?? 'amd64';
    const config = buildImageConfig({ architecture, diffIds: layers.map(() => sha256Digest(randomBytes(8))) });
    const configBlob = this.addBlob(encodeImageConfig(config));
    const manifestBytes = encodeManifest(buildImageManifest({ config: configBlob, layers }));
    const digest = this.addManifest(repository, manifestBytes, options.tag);
    const manifest = { mediaType: MediaType.OciManifest, digest, size: manifestBytes.length, platform: options.platform };
    return { manifest, manifestBytes, config: { ...configBlob, mediaType: MediaType.OciConfig }, layers };
  }

  addIndex(repository: string, tag: string, manifests: Descriptor[]): { digest: Digest; bytes: Buffer } {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }, null, 2));
    return { digest: this.addManifest(repository, bytes, tag), bytes };
  }

  requests(method: string, pathPart: string): SeenRequest[] {
    return this.seen.filter((request) => request.method === method && request.url.pathname.includes(pathPart));
  }

  private token(request: SeenRequest): Response {
    const basic = request.authorization?.startsWith('Basic ') ? Buffer.from(request.authorization.slice(6), 'base64').toString() : null;
    const [user, password] = basic === null ? [] : [basic.slice(0, basic.indexOf(':')), basic.slice(basic.indexOf(':') + 1)];
    const known = user !== undefined && this.users[user] === password;
    if (!known && (basic !== null || !this.allowAnonymous)) return new Response('{"details":"no"}', { status: 401 });
    this.tokensIssued += 1;
    const scope = request.url.searchParams.get('scope');
    return Response.json({ token: `tok|${scope}|${user ?? 'anonymous'}`, expires_in: 300 });
  }

  private serve(request: SeenRequest): Response {
    const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(request.url.pathname);
    if (!match) return new Response('', { status: 404 });
    const [, repository, kind, reference] = match;
    if (!request.authorization?.startsWith(`Bearer tok|repository:${repository}:pull|`)) {
      const challenge = `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:${repository}:pull"`;
      return new Response('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', {
        status: 401,
        headers: { 'www-authenticate': challenge },
      });
    }
    return kind === 'blobs' ? this.blob(reference) : this.manifest(request.method, repository, reference);
  }

  private blob(digest: string): Response {
    const bytes = this.blobs.get(digest);
    return bytes ? new Response(bytes) : Response.json({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown' }] }, { status: 404 });
  }

  private manifest(method: string, repository: string, reference: string): Response {
    const digest = reference.startsWith('sha256:') ? reference : this.tags.get(`${repository}:${reference}`);
    const bytes = digest === undefined ? undefined : this.manifests.get(`${repository}@${digest}`);
    if (bytes === undefined || digest === undefined) {
      return Response.json({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }, { status: 404 });
    }
    const mediaType = (JSON.parse(bytes.toString()) as { mediaType?: string }).mediaType ?? MediaType.OciManifest;
    const headers = { 'content-type': mediaType, 'docker-content-digest': digest };
    return new Response(method === 'HEAD' ? null : bytes, { headers });
  }
}

/** A body that sends some bytes and then breaks, as a dropped connection does. */
export function brokenBody(first: Buffer): Response {
  let sent = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(Object.assign(new TypeError('terminated'), { cause: { code: 'ECONNRESET' } }));
      sent = true;
      controller.enqueue(first);
    },
  });
  return new Response(stream);
}
