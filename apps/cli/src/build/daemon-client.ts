import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { BuildClientConfig } from '@berth/config';
import { buildEnvironment, inheritedEnvironment } from '@berth/config/client';
import type { BuildRequest } from './build-request';
import { daemonFingerprint, DaemonEvent, daemonLogPath, daemonSocketPath } from './daemon-protocol';
import type { BuildOutput } from './local-build';

const START_TIMEOUT_MS = 15_000;
const POLL_MS = 20;
const IDLE_EXIT_SECONDS = 600;
/** The CLI's entry (bin/berth is its shell wrapper), for processes started with this node. */
export const BERTH_JS = path.resolve(__dirname, '../../../../../bin/berth.js');

type CallResult = { kind: 'done'; exitCode: number } | { kind: 'unavailable' } | { kind: 'stale' };

/** True when a daemon answers on the socket. */
export function connectToDaemon(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Runs the build in this data dir's build daemon, starting one when none answers (or when the
 * one that answers runs older code or another configuration). Answers the build's exit code,
 * or null when no daemon could be reached, so the caller builds in-process instead.
 */
export async function buildThroughDaemon(config: BuildClientConfig, request: BuildRequest, output: BuildOutput): Promise<number | null> {
  const socketPath = daemonSocketPath(config.dataDir);
  const fingerprint = daemonFingerprint(config.environmentKey);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const result = await callDaemon(socketPath, fingerprint, request, output);
    if (result.kind === 'done') return result.exitCode;
    if (result.kind === 'stale') await waitUntil(async () => !(await connectToDaemon(socketPath)), START_TIMEOUT_MS);
    const daemon = await startDaemon(config.dataDir);
    if (!(await waitUntil(async () => daemon.exitCode !== null || (await connectToDaemon(socketPath)), START_TIMEOUT_MS))) break;
  }
  output.err(`berth build: no build daemon answers (see ${daemonLogPath(config.dataDir)}); building in this process\n`);
  return null;
}

function callDaemon(socketPath: string, fingerprint: string, request: BuildRequest, output: BuildOutput): Promise<CallResult> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    let connected = false;
    let result: CallResult | null = null;
    let pending = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ fingerprint, request })}\n`);
    });
    let heard = false;
    socket.on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const event = parseEvent(line);
        if (!event) {
          output.err(heard ? 'berth build: the build daemon answered garbage; run the build again\n' : '');
          result = heard ? { kind: 'done', exitCode: 1 } : { kind: 'unavailable' };
          return void socket.destroy();
        }
        heard = true;
        result = relay(event, output) ?? result;
      }
    });
    socket.once('close', () => {
      if (!connected || result?.kind === 'unavailable') return resolve({ kind: 'unavailable' });
      if (!result) output.err('berth build: the build daemon stopped during the build; run it again\n');
      resolve(result ?? { kind: 'done', exitCode: 1 });
    });
    socket.once('error', () => undefined); // 'close' follows and decides
  });
}

function parseEvent(line: string): DaemonEvent | null {
  try {
    const event = JSON.parse(line) as DaemonEvent;
    return typeof event === 'object' && event !== null ? event : null;
  } catch {
    return null;
  }
}

function relay(event: DaemonEvent, output: BuildOutput): CallResult | undefined {
  if ('out' in event) output.out(event.out);
  else if ('err' in event) output.err(event.err);
  else if ('exit' in event) return { kind: 'done', exitCode: event.exit };
  else return { kind: 'stale' };
  return undefined;
}

async function startDaemon(dataDir: string): Promise<ChildProcess> {
  const { spawn } = await import('node:child_process'); // only when no daemon answers: a warm build spares it
  const logFile = daemonLogPath(dataDir);
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [BERTH_JS, 'build-daemon', '--idle-exit', String(IDLE_EXIT_SECONDS)], {
    detached: true,
    stdio: ['ignore', log, log],
    env: buildEnvironment() ?? inheritedEnvironment(),
  });
  child.unref();
  closeSync(log);
  return child;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return false;
}

/**
 * No daemon answered and bin/berth left NODE_EXTRA_CA_CERTS out of this process: the build runs
 * in a child that has it (a pull may need it), with this terminal. Null when nothing was left out.
 */
export async function buildInChildWithCaCerts(argv: string[]): Promise<number | null> {
  const env = buildEnvironment({ BERTH_BUILD_DAEMON: 'off' });
  if (env === null) return null;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [BERTH_JS, 'build', ...argv], { env, stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
