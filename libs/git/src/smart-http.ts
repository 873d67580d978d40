import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { inheritedEnvironment } from '@berth/config';

export type GitService = 'git-upload-pack' | 'git-receive-pack';

export const GIT_SERVICES: readonly GitService[] = ['git-upload-pack', 'git-receive-pack'];

/** pkt-line framing: four hex digits of length (itself included), then the payload. */
export function pktLine(payload: string): string {
  return (payload.length + 4).toString(16).padStart(4, '0') + payload;
}

/** `GET /NAME.git/info/refs?service=...`: the smart protocol's ref advertisement. */
export function advertiseRefs(repository: string, service: GitService, response: ServerResponse): void {
  response.writeHead(200, {
    'Content-Type': `application/x-${service}-advertisement`,
    'Cache-Control': 'no-cache, max-age=0, must-revalidate',
  });
  response.write(`${pktLine(`# service=${service}\n`)}0000`);
  const git = spawn('git', [service.slice(4), '--stateless-rpc', '--advertise-refs', repository], { stdio: ['ignore', 'pipe', 'pipe'] });
  git.stdout.pipe(response);
  git.on('error', () => response.destroy());
}

/**
 * `POST /NAME.git/git-receive-pack` (or upload-pack): the request body goes, unparsed and
 * streamed, into `git <service> --stateless-rpc`, gunzipped when the client compressed it;
 * git's answer streams back. Hooks run inside receive-pack and see `hookEnv`.
 */
export function runService(repository: string, service: GitService, request: IncomingMessage, response: ServerResponse, hookEnv: Record<string, string> = {}): void {
  response.writeHead(200, {
    'Content-Type': `application/x-${service}-result`,
    'Cache-Control': 'no-cache, max-age=0, must-revalidate',
  });
  const git = spawn('git', [service.slice(4), '--stateless-rpc', repository], { env: inheritedEnvironment(hookEnv), stdio: ['pipe', 'pipe', 'pipe'] });
  const body = request.headers['content-encoding'] === 'gzip' ? request.pipe(createGunzip()) : request;
  pipeline(body, git.stdin, () => undefined);
  git.stdout.pipe(response);
  git.stderr.resume();
  git.on('error', () => response.destroy());
  request.on('aborted', () => git.kill('SIGTERM'));
}
