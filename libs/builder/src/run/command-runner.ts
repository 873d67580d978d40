import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunningCommand {
  stdout: Readable;
  stderr: Readable;
  exited: Promise<number>;
  kill(signal: NodeJS.Signals): void;
}

/** The seam for every process the builder starts (mount, umount, runc): argument arrays only. */
export interface CommandRunner {
  run(command: string, args: string[], options?: { cwd?: string }): Promise<CommandResult>;
  start(command: string, args: string[], options?: { cwd?: string }): RunningCommand;
}

export class NodeCommandRunner implements CommandRunner {
  async run(command: string, args: string[], options: { cwd?: string } = {}): Promise<CommandResult> {
    const running = this.start(command, args, options);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    running.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    running.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const code = await running.exited;
    return { code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
  }

  start(command: string, args: string[], options: { cwd?: string } = {}): RunningCommand {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + 9 : 1)));
    });
    return { stdout: child.stdout, stderr: child.stderr, exited, kill: (signal) => child.kill(signal) };
  }
}

/** Runs a command that must succeed; its stderr becomes the error message. */
export async function runChecked(runner: CommandRunner, command: string, args: string[], options?: { cwd?: string }): Promise<string> {
  const result = await runner.run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args[0] ?? ''} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}
