import { spawn } from 'node:child_process';

export interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: Buffer;
  timeoutMs?: number;
}

/** Runs a command (argument array, no shell) to completion without blocking the event loop. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<ProcessResult> {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
  return new Promise((resolve) => {
    const finish = (status: number | null, extra = '') => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') + extra });
    };
    child.once('error', (error) => finish(null, `\n${error.message}`));
    child.once('close', (code) => finish(code));
  });
}

/** Like run, but a non-zero exit fails with the command's output. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<ProcessResult> {
  const result = await run(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stderr}\n${result.stdout}`.trim());
  }
  return result;
}
