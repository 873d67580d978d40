import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { BlobSpan } from '@berth/layer-store';
import { sendBlob } from './send-blob';

/** A span over bytes in memory that records its reads and whether it was closed. */
function memorySpan(bytes: Buffer, start = 0, end = bytes.length): BlobSpan & { reads: number } {
  const span = {
    start,
    end,
    reads: 0,
    read: async (buffer: Buffer, length: number, position: number) => {
      span.reads++;
      await new Promise((resolve) => setImmediate(resolve));
      return bytes.copy(buffer, 0, position, Math.min(position + length, bytes.length));
    },
    close: async () => undefined,
  };
  return span;
}

/** Serves one span per request and reports how sendBlob ended. */
async function withServer(span: BlobSpan, run: (url: string, outcome: Promise<Error | null>) => Promise<void>): Promise<void> {
  let settle!: (result: Error | null) => void;
  const outcome = new Promise<Error | null>((resolve) => (settle = resolve));
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'Content-Length': span.end - span.start });
    sendBlob(span, response).then(
      () => (response.end(), settle(null)),
      (error: Error) => (response.destroy(), settle(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, outcome);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('sendBlob', () => {
  it('sends every byte of a blob larger than its two buffers, in order', async () => {
    const bytes = randomBytes(5 * 1024 * 1024 + 123);
    const span = memorySpan(bytes);
    await withServer(span, async (url, outcome) => {
      const body = Buffer.from(await (await fetch(url)).arrayBuffer());
      assert.equal(await outcome, null);
      assert.ok(body.equals(bytes), 'the body is the blob');
      assert.equal(span.reads, 6);
    });
  });

  it('sends only the span of a range, and an empty blob as nothing', async () => {
    const bytes = randomBytes(3000);
    await withServer(memorySpan(bytes, 1000, 2001), async (url) => {
      const body = Buffer.from(await (await fetch(url)).arrayBuffer());
      assert.ok(body.equals(bytes.subarray(1000, 2001)));
    });
    await withServer(memorySpan(Buffer.alloc(0)), async (url) => {
      assert.equal((await (await fetch(url)).arrayBuffer()).byteLength, 0);
    });
  });

  it('stops with an error when the client goes away mid-blob', async () => {
    const span = memorySpan(randomBytes(64 * 1024 * 1024));
    await withServer(span, async (url, outcome) => {
      await new Promise<void>((resolve) => {
        const request = http.get(url, (response) => response.once('data', () => (request.destroy(), resolve())));
      });
      const error = await outcome;
      assert.ok(error instanceof Error, 'sendBlob rejected');
      assert.ok(span.reads < 64, `read ${span.reads} of 64 chunks: it stopped early`);
    });
  });

  it('fails rather than sending short when the file ends before the span does', async () => {
    const bytes = randomBytes(100);
    await withServer(memorySpan(bytes, 0, 200), async (url, outcome) => {
      await assert.rejects(async () => await (await fetch(url)).arrayBuffer());
      assert.match(String(await outcome), /ended at byte 100 of 200/);
    });
  });
});
