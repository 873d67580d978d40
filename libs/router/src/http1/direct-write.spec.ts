import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { writeNow } from './direct-write';

/** A connected pair on loopback: `server` is the accepted side. */
async function socketPair(): Promise<{ client: net.Socket; server: net.Socket; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  await new Promise<void>((resolve) => (client.connecting ? client.once('connect', resolve) : resolve()));
  return { client, server, close: () => (client.destroy(), server.destroy(), listener.close()) };
}

function readAll(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => socket.once('end', () => resolve(Buffer.concat(chunks))));
}

describe('direct writes', () => {
  it('keeps every byte in order when writes outrun a reader, mixed with socket.write and ended with end()', async () => {
    const { client, server, close } = await socketPair();
    try {
      client.pause(); // nothing is read yet: the kernel buffers fill and libuv queues the rest
      const parts: Buffer[] = [];
      for (let i = 0; i < 400; i++) {
        const part = Buffer.alloc(16 * 1024, i % 251);
        part.writeUInt32BE(i, 0);
        parts.push(part);
        if (i % 3 === 0) server.write(part);
        else writeNow(server, i % 3 === 1 ? part : part.toString('latin1'));
      }
      server.end();
      const received = readAll(client);
      client.resume();
      const bytes = await received;
      assert.equal(bytes.length, 400 * 16 * 1024);
      assert.ok(bytes.equals(Buffer.concat(parts)), 'the reader gets the parts in the order they were written');
    } finally {
      close();
    }
  });

  it('ends the connection with an error when the peer is gone, as socket.write does', async () => {
    const { client, server, close } = await socketPair();
    try {
      const failed = new Promise<NodeJS.ErrnoException>((resolve) => server.once('error', resolve));
      client.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (let i = 0; i < 50 && !server.destroyed; i++) writeNow(server, Buffer.alloc(64 * 1024));
      const error = await failed;
      assert.match(error.code ?? '', /^(EPIPE|ECONNRESET)$/);
      assert.equal(server.destroyed, true);
    } finally {
      close();
    }
  });
});
