import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { RegistryError, RegistryErrorCode } from './registry.errors';
import { translateStoreError } from './store-errors';

const logger = new Logger('Registry');

export type Headers = Record<string, string | number>;

export function sendEmpty(response: ServerResponse, status: number, headers: Headers = {}): void {
  response.writeHead(status, { ...headers, 'Content-Length': 0 });
  response.end();
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes.length });
  response.end(bytes);
}

/** Answers any failure in the spec's error format; unexpected ones are logged and answered as UNKNOWN. */
export function sendError(request: IncomingMessage, response: ServerResponse, error: unknown): void {
  if (clientWentAway(response)) {
    // Nobody is left to answer, and a client hanging up mid-upload is not the registry's fault.
    logger.debug(`${request.method} ${request.url}: the client went away`);
    response.destroy();
    return;
  }
  const known = translateStoreError(error);
  const answer =
    known instanceof RegistryError
      ? known
      : new RegistryError(RegistryErrorCode.Unknown, 'the registry failed to answer; the server log has the details');
  if (!(known instanceof RegistryError)) logger.error({ err: error, method: request.method, url: request.url }, 'registry request failed');
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (!request.complete) drainBriefly(request);
  const headers: Headers = { ...answer.headers };
  const body = request.method === 'HEAD' ? null : answer.toBody();
  if (body === null) sendEmpty(response, answer.status, headers);
  else sendJson(response, answer.status, body, headers);
}

/** How much of a refused body is read and dropped, so the client sees the answer before the connection is cut. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
const DRAIN_LIMIT_MS = 5000;

/**
 * Reads and drops the rest of a body the registry refused (a 401 upload, an oversized
 * manifest). Closing at once would reset the connection under the client's feet and it could
 * lose the answer; draining forever would let a refused client send gigabytes.
 */
function drainBriefly(request: IncomingMessage): void {
  let drained = 0;
  const cut = () => request.socket?.destroy();
  const timer = setTimeout(cut, DRAIN_LIMIT_MS);
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) cut();
  });
  request.once('close', () => clearTimeout(timer));
  request.resume();
}

/** True when no answer can reach the client any more: it hung up, or its connection was cut. */
function clientWentAway(response: ServerResponse): boolean {
  const socket = response.socket;
  return response.destroyed || socket === null || socket.destroyed;
}
