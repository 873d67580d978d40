/** Thrown when a body that should be small (a manifest, a token, an error) is not. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the body is larger than ${maxBytes} bytes`);
  }
}

/** Buffers a small body, refusing more than `maxBytes` of it so a hostile server cannot fill memory. */
export async function readLimitedBytes(response: Response, maxBytes: number): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  // Throwing out of for-await cancels the stream, which frees the connection.
  for await (const chunk of response.body) {
    total += chunk.length;
    if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
