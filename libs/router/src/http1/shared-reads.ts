import net from 'node:net';

/**
 * One read buffer for every plain client connection and every connection to an app (net's
 * `onread`): each read is parsed before libuv reads again (one thread, one read at a time), and
 * nothing keeps a reference into it (llhttp copies bodies, the simple reader makes strings and
 * copies bodies, an upgrade copies its first bytes). By default Node allocates (malloc) a 64 KiB
 * buffer per read and sends it through the stream machinery as a 'data' event; on bench/router
 * the shared buffer was 12-15% more requests per second for app connections alone.
 */
export const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * Options for the plain listener: its sockets start paused, so withSharedReads can rebuild them
 * before a byte is read.
 */
export const SHARED_READS_LISTENER = { pauseOnConnect: true } as const;

/** An accepted socket whose reads land in the shared buffer. */
export interface SharedReads {
  readonly socket: net.Socket;
  /** Where reads go until handOver(): the bytes are valid only until it returns. */
  deliver(bytes: Buffer): void;
  /** From now on each read is a 'data' event with a buffer of its own (an upgrade pipes the socket). */
  handOver(): void;
}

interface Internals {
  _handle: unknown;
  _server: net.Server | null;
  server: net.Server | null;
}

/**
 * Rebuilds a socket that `net.Server` accepted (with SHARED_READS_LISTENER) as one that reads
 * into the shared buffer: net's `onread` option exists only for sockets made with `new Socket`,
 * so the accepted one gives up its handle (`_handle`, as Node's own TLS and HTTP code use it)
 * before it has read anything, and a new Socket takes it with `onread`. The new socket counts
 * for the server (`_server`), as the old one did, so server.close() still waits for it.
 */
export function withSharedReads(accepted: net.Socket): SharedReads {
  const old = accepted as unknown as Internals;
  const handle = old._handle;
  const server = old._server;
  old._handle = null;
  old._server = null;
  let handedOver = false;
  const shared: SharedReads = {
    socket: undefined as unknown as net.Socket,
    deliver: () => undefined,
    handOver: () => void (handedOver = true),
  };
  const socket = new net.Socket({
    handle,
    allowHalfOpen: accepted.allowHalfOpen,
    pauseOnCreate: true,
    readable: true,
    writable: true,
    onread: {
      buffer: READ_BUFFER,
      callback: (length: number) => {
        // A copy for the stream, whose reader may keep it; false stops reading until the reader wants more.
        if (handedOver) return socket.push(Buffer.from(READ_BUFFER.subarray(0, length)));
        shared.deliver(READ_BUFFER.subarray(0, length));
        return true;
      },
    },
  } as net.SocketConstructorOpts);
  Object.assign(socket as unknown as Internals, { _server: server, server });
  (shared as { socket: net.Socket }).socket = socket;
  return shared;
}
