import type { IncomingMessage } from 'node:http';
import { Digest } from '@berth/layer-store';
import { blobCreated } from './blob-handlers';
import { parseDigestParam } from './names';
import { InclusiveRange, parseContentRange, uploadedRange } from './ranges';
import { contentLength, hasBody, header, RegistryRequest } from './registry-context';
import { RegistryError, RegistryErrorCode } from './registry.errors';
import { sendEmpty } from './responses';
import { fromStore } from './store-errors';
import { UploadSession } from './upload-sessions';

/** An upload that sends nothing for this long is cut off, so a stalled client does not hold a socket forever. */
const UPLOAD_IDLE_MS = 5 * 60_000;

/**
 * `POST /v2/<name>/blobs/uploads/`: mounts an existing blob (`?mount=`), stores a whole blob
 * sent in one request (`?digest=`), or starts a session for PATCH chunks and a closing PUT.
 */
export async function startUpload(context: RegistryRequest): Promise<void> {
  const { deps, name, query, request, response } = context;
  const mount = query.get('mount');
  // `from` is not needed: blobs are global, so a blob of any repository can be mounted.
  if (mount !== null) {
    const mounted = parseDigestParam(mount, 'mount digest');
    if (await mountable(context, mounted)) return blobCreated(response, name, mounted);
  }
  const digest = query.get('digest');
  if (digest !== null) {
    const expected = parseDigestParam(digest);
    const info = await withIdleTimeout(request, fromStore(deps.store.blobs.writeBlob(request, expected)));
    return blobCreated(response, name, info.digest);
  }
  const session = await deps.uploads.start(name);
  sendEmpty(response, 202, sessionHeaders(name, session));
}

/** `PATCH /v2/<name>/blobs/uploads/<uuid>`: one chunk, with Content-Range or streamed without. */
export async function patchUpload(context: RegistryRequest): Promise<void> {
  const session = await context.deps.uploads.get(context.name, context.reference);
  const updated = await appendChunk(context, session);
  sendEmpty(context.response, 202, sessionHeaders(context.name, updated));
}

/** `PUT /v2/<name>/blobs/uploads/<uuid>?digest=`: an optional last chunk, then the digest is checked. */
export async function finishUpload(context: RegistryRequest): Promise<void> {
  const { deps, name, query, request, response } = context;
  let session = await deps.uploads.get(name, context.reference);
  const expected = parseDigestParam(query.get('digest') ?? undefined);
  if (hasBody(request)) session = await appendChunk(context, session);
  const info = await deps.uploads.finish(session, expected);
  blobCreated(response, name, info.digest);
}

/** `GET /v2/<name>/blobs/uploads/<uuid>`: how much has arrived, so a client can resume. */
export async function uploadStatus({ deps, name, reference, response }: RegistryRequest): Promise<void> {
  const session = await deps.uploads.get(name, reference);
  sendEmpty(response, 204, sessionHeaders(name, session));
}

/** `DELETE /v2/<name>/blobs/uploads/<uuid>`. */
export async function cancelUpload({ deps, name, reference, response }: RegistryRequest): Promise<void> {
  await deps.uploads.cancel(await deps.uploads.get(name, reference));
  sendEmpty(response, 204);
}

async function appendChunk(context: RegistryRequest, session: UploadSession): Promise<UploadSession> {
  const { request, deps, name } = context;
  const range = parseContentRange(header(request, 'content-range'));
  const length = contentLength(request);
  if (range !== null) checkChunkRange(range, length, session, name);
  const expected = range === null ? length : range.end - range.start + 1;
  return withIdleTimeout(request, deps.uploads.append(session, request, expected));
}

function checkChunkRange(range: InclusiveRange, length: number | undefined, session: UploadSession, name: string): void {
  if (range.start !== session.size) {
    throw new RegistryError(
      RegistryErrorCode.BlobUploadInvalid,
      `the chunk starts at byte ${range.start} but ${session.size} bytes have arrived; send the chunk starting at ${session.size}`,
      { status: 416, headers: sessionHeaders(name, session), detail: { received: session.size, start: range.start } },
    );
  }
  const rangeLength = range.end - range.start + 1;
  if (length !== undefined && length !== rangeLength) {
    throw new RegistryError(
      RegistryErrorCode.SizeInvalid,
      `Content-Range ${range.start}-${range.end} names ${rangeLength} bytes but Content-Length is ${length}`,
      { detail: { contentRange: `${range.start}-${range.end}`, contentLength: length } },
    );
  }
}

function sessionHeaders(name: string, session: UploadSession): Record<string, string> {
  return {
    Location: `/v2/${name}/blobs/uploads/${session.id}`,
    'Docker-Upload-UUID': session.id,
    Range: uploadedRange(session.size),
  };
}

/** True when the blob is here; touching it keeps GC off it until the manifest that uses it arrives. */
async function mountable({ deps }: RegistryRequest, digest: Digest): Promise<boolean> {
  try {
    await deps.store.blobs.touch(digest);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Cuts off an upload whose client stops sending: the server's own whole-request timeout is off
 * (big layers take long), but an idle socket is dropped by Node's server once this fires.
 */
async function withIdleTimeout<T>(request: IncomingMessage, operation: Promise<T>): Promise<T> {
  const socket = request.socket;
  socket?.setTimeout(UPLOAD_IDLE_MS);
  try {
    return await operation;
  } finally {
    socket?.setTimeout(0);
  }
}
