import { runChecked } from '../builder/process';

export const WRK = '/usr/bin/wrk';

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors plus non-2xx/3xx answers: any is a failure of the proxy under test. */
  errors: number;
}

/** wrk's latency units (us, ms, s) in milliseconds. */
function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!match) throw new Error(`wrk latency "${value}" not understood`);
  const factor = { us: 0.001, ms: 1, s: 1000 }[match[2] as 'us' | 'ms' | 's'];
  return Number(match[1]) * factor;
}

export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output);
  if (!rps || !p50 || !p99) throw new Error(`wrk output not understood:\n${output}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors = (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return { rps: Number(rps[1]), p50Ms: toMs(p50[1]), p99Ms: toMs(p99[1]), errors };
}

/** One wrk thread: on 2 cores wrk, the proxy and the app share the CPU, more threads only steal from them. */
export async function runWrk(port: number, host: string, seconds: number, connections: number): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`, `http://127.0.0.1:${port}/`];
  const result = await runChecked(WRK, args, { timeoutMs: (seconds + 30) * 1000 });
  return parseWrk(result.stdout);
}
