/** A container's resource use at one moment, from Docker's stats. */
export interface ContainerStats {
  /** Share of one CPU core in percent (200 = two cores busy), averaged over Docker's sample interval. */
  cpuPercent: number;
  /** Memory in use without the reclaimable page cache, as `docker stats` shows it. */
  memoryBytes: number;
  /** The container's memory limit, or the host's memory when it has none. */
  memoryLimitBytes: number;
}

/** The parts of Docker's `GET /containers/ID/stats` answer that the numbers come from. */
export interface DockerStatsSample {
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

/** Docker CLI's formula: CPU time used over system time passed between the two samples, times the cores. */
export function statsFromDocker(sample: DockerStatsSample): ContainerStats {
  const cpu = sample.cpu_stats ?? {};
  const pre = sample.precpu_stats ?? {};
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const cores = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 1;
  // Without a previous sample the deltas would span the container's whole life, not an interval.
  const sampled = (pre.system_cpu_usage ?? 0) > 0 && cpuDelta > 0 && systemDelta > 0;
  const cpuPercent = sampled ? (cpuDelta / systemDelta) * cores * 100 : 0;
  const memory = sample.memory_stats ?? {};
  // cgroup v2 reports the page cache as inactive_file, cgroup v1 as total_inactive_file.
  const cache = memory.stats?.inactive_file ?? memory.stats?.total_inactive_file ?? 0;
  const usage = memory.usage ?? 0;
  return {
    cpuPercent: Math.round(cpuPercent * 100) / 100,
    memoryBytes: Math.max(0, usage - (cache < usage ? cache : 0)),
    memoryLimitBytes: memory.limit ?? 0,
  };
}
