import { spawn, SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds the process ran. */
  millis: number;
}

/** Runs a command (argument array, no shell) to completion without blocking the event loop. */
export function runProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ProcessResult> {
  const started = Date.now();
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve) => {
    const finish = (status: number | null, extra = '') => {
      clearTimeout(timer);
      resolve({
        status,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8') + extra,
        millis: Date.now() - started,
      });
    };
    child.once('error', (error) => finish(null, `\n${error.message}`));
    child.once('close', (code) => finish(code));
  });
}

/** A command whose stdout is consumed as a stream (e.g. `docker save`); `done` rejects on failure. */
export function streamProcess(command: string, args: string[], options: SpawnOptions = {}): { stdout: Readable; done: Promise<void> } {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${Buffer.concat(stderr).toString('utf8').trim()}`));
    });
  });
  return { stdout: child.stdout!, done };
}

/** Runs tasks with at most `limit` at a time; each call answers its own task's promise. */
export class TaskPool {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next queued one, so the limit always holds.
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
