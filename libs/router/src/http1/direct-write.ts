import type net from 'node:net';
import { getSystemErrorName } from 'node:util';

/**
 * A write handed straight to the socket's libuv handle, as net.Socket's own write ends up doing,
 * without the Writable stream around it: no write queue bookkeeping and no callback scheduled
 * with process.nextTick per write, which on bench/router cost a few percent of the router's
 * time per request. Used only for writes whose return value nobody waits on (a whole answer, a
 * request head); streamed bodies keep socket.write and its 'drain'.
 *
 * Safe because of what libuv guarantees: writes on a stream leave in the order they were
 * queued, and a shutdown (socket.end()) waits for every queued write. So a direct write is
 * taken only when the Writable holds nothing back (nothing buffered, not corked, not ending);
 * otherwise it goes through socket.write() behind what is buffered.
 */

interface WriteReq {
  handle: unknown;
  oncomplete: (status: number) => void;
  async: boolean;
  /** Keeps the bytes alive while libuv still writes them. */
  buffer?: Buffer | string;
  socket?: net.Socket;
}

interface StreamHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
  writeLatin1String(req: WriteReq, data: string): number;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

const BINDING: StreamWrapBinding | undefined = (() => {
  try {
    const binding = (process as unknown as { binding(name: string): StreamWrapBinding }).binding('stream_wrap');
    return typeof binding.WriteWrap === 'function' && binding.streamBaseState instanceof Int32Array ? binding : undefined;
  } catch {
    return undefined;
  }
})();

/** What socket.write would have raised: the connection's end. */
function failed(socket: net.Socket, status: number): void {
  const code = getSystemErrorName(status);
  if (!socket.destroyed) socket.destroy(Object.assign(new Error(`write ${code}`), { errno: status, code, syscall: 'write' }));
}

/** A write that libuv finished later. */
function completed(this: WriteReq, status: number): void {
  const socket = this.socket;
  this.socket = undefined;
  this.buffer = undefined;
  if (status < 0 && socket !== undefined) failed(socket, status);
}

function handleOf(socket: net.Socket): StreamHandle | undefined {
  const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
  if (!handle || socket.writableLength !== 0 || socket.writableCorked !== 0 || !socket.writable || socket.connecting) return undefined;
  return handle;
}

/** Writes `data` (a string as latin1) now, behind anything already queued. */
export function writeNow(socket: net.Socket, data: Buffer | string): void {
  const handle = BINDING === undefined ? undefined : handleOf(socket);
  if (handle === undefined) return void (typeof data === 'string' ? socket.write(data, 'latin1') : socket.write(data));
  const req = new BINDING!.WriteWrap();
  req.handle = handle;
  req.oncomplete = completed;
  req.async = false;
  const error = typeof data === 'string' ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
  if (error !== 0) return failed(socket, error);
  if (BINDING!.streamBaseState[BINDING!.kLastWriteWasAsync] !== 0) {
    req.async = true;
    req.buffer = data;
    req.socket = socket;
  }
}
