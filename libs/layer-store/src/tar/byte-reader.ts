import { corrupt } from './tar-header';

/** Pull-based reads of exact byte counts from a chunked stream, without copying large bodies. */
export class ByteReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  static from(source: AsyncIterable<Uint8Array>): ByteReader {
    return new ByteReader(source[Symbol.asyncIterator]());
  }

  /** Exactly n bytes, or null when the stream ended cleanly before the first byte. */
  async readExact(length: number): Promise<Buffer | null> {
    await this.fill(length);
    if (this.buffered === 0 && length > 0) return null;
    if (this.buffered < length) throw corrupt('the archive ends in the middle of an entry');
    const parts: Buffer[] = [];
    let wanted = length;
    while (wanted > 0) {
      const part = this.take(wanted);
      parts.push(part);
      wanted -= part.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, length);
  }

  /** The next available bytes, at most `limit`; throws if the stream has ended. */
  async readSome(limit: number): Promise<Buffer> {
    await this.fill(1);
    if (this.buffered === 0) throw corrupt('the archive ends in the middle of an entry');
    return this.take(limit);
  }

  async skip(length: number): Promise<void> {
    let remaining = length;
    while (remaining > 0) remaining -= (await this.readSome(remaining)).length;
  }

  /** Consumes whatever follows the end-of-archive marker, so hashes over the whole stream are complete. */
  async drain(): Promise<void> {
    this.chunks.length = 0;
    this.buffered = 0;
    while (!this.ended) {
      const next = await this.source.next();
      if (next.done === true) this.ended = true;
    }
  }

  /** Releases the source (closing files, stopping decompression) when the caller stops early. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.source.return?.();
  }

  private take(limit: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length <= limit) {
      this.chunks.shift();
      this.buffered -= first.length;
      return first;
    }
    this.chunks[0] = first.subarray(limit);
    this.buffered -= limit;
    return first.subarray(0, limit);
  }

  private async fill(length: number): Promise<void> {
    while (this.buffered < length && !this.ended) {
      const next = await this.source.next();
      if (next.done === true) {
        this.ended = true;
        return;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      if (chunk.length === 0) continue;
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
  }
}
