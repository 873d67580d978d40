import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BerthConfig } from '@berth/config';
import { loadBuildClientConfig } from '@berth/config/client';
import { connectToDaemon } from './daemon-client';
import { DaemonBuildCall, DaemonEvent, daemonFingerprint, daemonSocketPath, MAX_CALL_BYTES } from './daemon-protocol';
import { BuildEngine } from './local-build';

const HOUSEKEEPING_MS = 2_000;

/**
 * `berth build-daemon`: keeps one warm builder (compiled code, layer store, digest caches)
 * for `berth build`, the way dockerd serves `docker build`. Started on demand by the first
 * `berth build`; leaves after --idle-exit seconds without builds, when a client with another
 * environment or newer code arrives, or when its socket or data dir is removed.
 */
export async function runBuildDaemon(config: BerthConfig, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'idle-exit': { type: 'string' } } });
  const idleMs = Number(values['idle-exit'] ?? '600') * 1000;
  if (!Number.isFinite(idleMs) || idleMs <= 0) throw new Error('--idle-exit: expected a number of seconds > 0');
  const client = loadBuildClientConfig();
  if (!client) throw new Error('BERTH_BUILD_DAEMON must be unset, "auto" or "off"');
  const socketPath = daemonSocketPath(config.dataDir);
  if (await connectToDaemon(socketPath)) return 0; // another daemon already serves this data dir
  await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await fs.rm(socketPath, { force: true });
  const daemon = new BuildDaemon(await BuildEngine.open(config), daemonFingerprint(client.environmentKey));
  await daemon.listen(socketPath);
  console.log(`build daemon ${process.pid} serving ${socketPath}; leaves after ${idleMs / 1000}s idle`);
  await daemon.untilDone(idleMs, socketPath);
  console.log(`build daemon ${process.pid} leaving`);
  return 0;
}

class BuildDaemon {
  private readonly server = net.createServer((socket) => this.serve(socket));
  private running = 0;
  private lastActivity = Date.now();
  private stale = false;

  constructor(
    private readonly engine: BuildEngine,
    private readonly fingerprint: string,
  ) {}

  async listen(socketPath: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => resolve());
    });
    await fs.chmod(socketPath, 0o600);
  }

  /** Resolves when the daemon should leave: idle too long, told it is stale, or its socket is gone. */
  async untilDone(idleMs: number, socketPath: string): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, HOUSEKEEPING_MS));
      if (this.running > 0) continue;
      if (this.stale || !existsSync(socketPath) || Date.now() - this.lastActivity > idleMs) break;
    }
    this.server.close();
    await fs.rm(socketPath, { force: true });
  }

  private serve(socket: net.Socket): void {
    let buffered = '';
    socket.setEncoding('utf8');
    const onData = (text: string) => {
      buffered += text;
      const newline = buffered.indexOf('\n');
      if (newline === -1 && buffered.length < MAX_CALL_BYTES) return;
      socket.off('data', onData);
      const call = parseCall(buffered.slice(0, newline === -1 ? 0 : newline));
      if (!call) return void socket.end(`${JSON.stringify({ err: 'berth build-daemon: expected one JSON build call line\n' })}\n${JSON.stringify({ exit: 2 })}\n`);
      void this.build(call, socket);
    };
    socket.on('data', onData);
    socket.on('error', () => undefined); // a client that went away: 'close' aborts its build
  }

  private async build(call: DaemonBuildCall, socket: net.Socket): Promise<void> {
    const send = (event: DaemonEvent) => socket.write(`${JSON.stringify(event)}\n`);
    if (call.fingerprint !== this.fingerprint) {
      this.stale = true;
      send({ stale: true });
      return void socket.end();
    }
    this.running += 1;
    const aborter = new AbortController();
    socket.once('close', () => aborter.abort());
    try {
      const code = await this.engine.build(call.request, { out: (text) => send({ out: text }), err: (text) => send({ err: text }) }, aborter.signal);
      send({ exit: code });
    } finally {
      socket.end();
      this.running -= 1;
      this.lastActivity = Date.now();
    }
  }
}

function parseCall(line: string): DaemonBuildCall | null {
  try {
    const call = JSON.parse(line) as DaemonBuildCall;
    return typeof call?.fingerprint === 'string' && typeof call.request?.context === 'string' ? call : null;
  } catch {
    return null;
  }
}
