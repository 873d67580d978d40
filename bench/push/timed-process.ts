import { spawn } from 'node:child_process';

export interface StampedLine {
  /** Seconds since the process was spawned. */
  at: number;
  text: string;
}

export interface TimedRun {
  code: number | null;
  seconds: number;
  /** stdout and stderr lines (split at \n and \r), each stamped when it arrived. */
  lines: StampedLine[];
}

/**
 * Runs a command (argument array, no shell) timing it from spawn to exit, and stamps every
 * output line on arrival: git shows the remote's build and deploy log while the push runs, so
 * the stamps say when each phase ended as the pusher saw it.
 */
export function runStamped(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: StampedLine[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (pending + chunk).split(/\r|\n/);
        pending = parts.pop() ?? '';
        const at = elapsed();
        for (const text of parts) if (text.trim() !== '') lines.push({ at, text: clean(text) });
      });
      stream.on('end', () => pending.trim() !== '' && lines.push({ at: elapsed(), text: clean(pending) }));
    }
    let seconds = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => (seconds = elapsed()));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, seconds, lines });
    });
  });
}

/** Drops git's `remote: ` prefix and the ESC[1G that Berth's hook puts over it. */
function clean(text: string): string {
  return text.replace(/^remote: /, '').replace(/\x1b\[1G/g, '').trimEnd();
}
