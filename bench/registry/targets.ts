import fs from 'node:fs';
import { BerthRegistry, RegistryTarget, startBerthRegistry, startReferenceRegistry } from '../../test/registry/support/registries';
import { runCommand } from '../builder/process';

/** A registry under test with a way to read the CPU time its server process has used so far. */
export interface BenchTarget {
  label: 'berth' | 'reference';
  registry: RegistryTarget;
  /** CPU seconds (user + system) of the server so far. */
  cpuSeconds(): number;
}

/**
 * Berth's api (createApiApp, as the registry tests start it) in this process, Basic auth with an
 * API token; its CPU is this process's, which does nothing else while a client runs.
 */
export async function startBerth(): Promise<BenchTarget & { registry: BerthRegistry }> {
  const registry = await startBerthRegistry();
  return {
    label: 'berth',
    registry,
    cpuSeconds: () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1e6;
    },
  };
}

/** Debian's docker-registry on a free loopback port with a temp storage dir and htpasswd auth. */
export async function startReference(): Promise<BenchTarget> {
  const registry = await startReferenceRegistry();
  const pid = childPid('docker-registry');
  const ticks = await clockTicks();
  return {
    label: 'reference',
    registry,
    cpuSeconds: () => {
      if (pid === null) return Number.NaN;
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
      return (Number(fields[11]) + Number(fields[12])) / ticks;
    },
  };
}

/** The pid of this process's child named `comm` (startReferenceRegistry does not expose it). */
function childPid(comm: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (name === comm && ppid === process.pid) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

async function clockTicks(): Promise<number> {
  const result = await runCommand('getconf', ['CLK_TCK']);
  const value = Number(result.stdout.trim());
  return result.code === 0 && value > 0 ? value : 100;
}
