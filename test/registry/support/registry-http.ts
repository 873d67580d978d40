import net from 'node:net';
import { RegistryTarget } from './registries';

export interface Reply {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
  /** The parsed JSON body (errors included), or undefined when it is not JSON. */
  json: any;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: Buffer | string | ReadableStream<Uint8Array>;
  /** false: no Authorization header; a string: that header instead of the target's credentials. */
  auth?: boolean | string;
}

/** Plain HTTP against a registry with fetch, for protocol-level tests. */
export class RegistryHttp {
  constructor(readonly target: RegistryTarget) {}

  get basicAuth(): string {
    return `Basic ${Buffer.from(`${this.target.username}:${this.target.password}`).toString('base64')}`;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth !== false) headers['authorization'] = typeof options.auth === 'string' ? options.auth : this.basicAuth;
    const streamed = options.body instanceof ReadableStream;
    const init = { method, headers, body: options.body, redirect: 'manual', ...(streamed ? { duplex: 'half' } : {}) };
    const response = await fetch(new URL(path, this.target.url), init as RequestInit);
    const body = Buffer.from(await response.arrayBuffer());
    const text = body.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, body, text, json };
  }

  /** Starts an upload session; answers its Location path. */
  async startUpload(name: string): Promise<string> {
    const reply = await this.request('POST', `/v2/${name}/blobs/uploads/`);
    if (reply.status !== 202) throw new Error(`POST uploads answered ${reply.status}: ${reply.text}`);
    return reply.headers.get('location')!;
  }

  /** Uploads a whole blob in one POST. */
  async pushBlob(name: string, content: Buffer | string, digest: string): Promise<Reply> {
    return this.request('POST', `/v2/${name}/blobs/uploads/?digest=${digest}`, {
      body: content,
      headers: { 'content-type': 'application/octet-stream' },
    });
  }

  async putManifest(name: string, reference: string, bytes: Buffer | string, mediaType: string): Promise<Reply> {
    return this.request('PUT', `/v2/${name}/manifests/${reference}`, { body: bytes, headers: { 'content-type': mediaType } });
  }
}

/** A Location (relative or absolute, maybe with a query of its own) with one more query parameter. */
export function withQuery(location: string, key: string, value: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}

/** The first error of a spec-format error body. */
export function firstError(reply: Reply): { code: string; message: string; detail: unknown } {
  const error = reply.json?.errors?.[0];
  if (!error) throw new Error(`not a registry error body (status ${reply.status}): ${reply.text.slice(0, 300)}`);
  return error;
}

/**
 * Sends a request whose body stops short of its Content-Length and hangs up, as a client that
 * dies mid-upload does. Resolves once the server has closed the connection.
 */
export function sendTruncated(target: RegistryTarget, method: string, path: string, declared: number, sent: Buffer, auth: string): Promise<void> {
  const [host, port] = target.host.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host, () => {
      socket.write(
        `${method} ${path} HTTP/1.1\r\nHost: ${target.host}\r\nAuthorization: ${auth}\r\n` +
          `Content-Type: application/octet-stream\r\nContent-Length: ${declared}\r\n\r\n`,
      );
      socket.write(sent, () => setTimeout(() => socket.destroy(), 100));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.setTimeout(10_000, () => reject(new Error('the truncated request was never closed')));
  });
}
