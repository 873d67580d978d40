import { statSync } from 'node:fs';
import path from 'node:path';
import type { BuildRequest } from './build-request';

/**
 * `berth build` and the build daemon talk over a unix socket in the data dir (0600, like
 * docker.sock), in JSON lines: the client sends one {fingerprint, request}; the daemon answers
 * with events, ending with {"exit": code} (or {"stale": true} alone). Plain lines rather than
 * HTTP: loading node's http client is a tenth of a warm `berth build`.
 */
export type DaemonEvent = { out: string } | { err: string } | { exit: number } | { stale: true };

export interface DaemonBuildCall {
  fingerprint: string;
  request: BuildRequest;
}

/** The longest call line a daemon reads. */
export const MAX_CALL_BYTES = 1024 * 1024;

/** In the socket's name, so a client never talks to a daemon that speaks another protocol. */
const PROTOCOL_VERSION = 1;

export function daemonSocketPath(dataDir: string): string {
  return path.join(dataDir, 'run', `builder-v${PROTOCOL_VERSION}.sock`);
}

export function daemonLogPath(dataDir: string): string {
  return path.join(dataDir, 'logs', 'build-daemon.log');
}

/**
 * The environment and the compiled code a daemon serves with: a client whose fingerprint
 * differs (changed environment, rebuilt Berth) must not get a build from a stale daemon.
 */
export function daemonFingerprint(environmentKey: string): string {
  return JSON.stringify({ environmentKey, codeVersion: codeVersion() });
}

/**
 * When Berth's code was last compiled: tsc builds incrementally and rewrites only changed
 * files, so this file's own mtime would miss a change elsewhere; its build info is rewritten
 * by every build that changes anything (dist/.tsbuildinfo, tsconfig.json's tsBuildInfoFile).
 */
function codeVersion(): number {
  const buildInfo = path.resolve(__dirname, '../../../../.tsbuildinfo');
  return statSync(buildInfo, { throwIfNoEntry: false })?.mtimeMs ?? statSync(__filename).mtimeMs;
}
