import type { IncomingMessage, ServerResponse } from 'node:http';
import { LayerStore } from '@berth/layer-store';
import { UploadSessions } from './upload-sessions';

export interface RegistryDeps {
  store: LayerStore;
  uploads: UploadSessions;
}

/** One matched registry request: the repository name is validated before a handler runs. */
export interface RegistryRequest {
  request: IncomingMessage;
  response: ServerResponse;
  deps: RegistryDeps;
  /** The repository (`<name>` in the spec); empty for `/v2/` and `/v2/_catalog`. */
  name: string;
  /** The path's last parameter: a tag or digest, a blob digest, or an upload's uuid. */
  reference: string;
  query: URLSearchParams;
}

export type RegistryHandler = (context: RegistryRequest) => Promise<void>;

export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The Content-Length as a number, or undefined for a chunked (streamed) body. */
export function contentLength(request: IncomingMessage): number | undefined {
  const value = header(request, 'content-length');
  return value === undefined ? undefined : Number(value);
}

export function hasBody(request: IncomingMessage): boolean {
  return header(request, 'transfer-encoding') !== undefined || (contentLength(request) ?? 0) > 0;
}
