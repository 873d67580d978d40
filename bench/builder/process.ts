import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  seconds: number;
  /** Peak resident set (VmHWM) of the spawned process itself, when sampled. */
  peakRssKb: number | null;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Poll /proc/PID/status for VmHWM while the process runs. */
  sampleRss?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const RSS_POLL_MS = 25;

/** Runs a command (argument array, no shell), timing it from spawn to exit. */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const sampler = options.sampleRss && child.pid !== undefined ? new PeakRssSampler(child.pid) : null;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let seconds = 0;
    let peakRssKb: number | null = null;
    child.once('exit', () => {
      seconds = Number(process.hrtime.bigint() - started) / 1e9;
      peakRssKb = sampler?.stop() ?? null;
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      sampler?.stop();
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), seconds, peakRssKb });
    });
  });
}

/** Runs a command that must succeed; its output's tail becomes the error. */
export async function runChecked(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.slice(0, 2).join(' ')} failed (exit ${result.code ?? result.signal}):\n${tail(result.stdout + result.stderr)}`);
  }
  return result;
}

export function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * VmHWM is the kernel's own high-water mark of the process's RSS, so a poll only has to land
 * after the peak, not on it; only growth in the last poll interval before exit can be missed.
 */
export class PeakRssSampler {
  private peakKb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), RSS_POLL_MS);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peakKb;
  }

  private sample(): void {
    let status: string;
    try {
      status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      return; // already reaped
    }
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (match) this.peakKb = Math.max(this.peakKb, Number(match[1]));
  }
}
