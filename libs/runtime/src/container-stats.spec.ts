import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statsFromDocker } from './container-stats';

describe('statsFromDocker', () => {
  it('computes CPU percent over the sample interval across cores, and memory without the page cache', () => {
    const stats = statsFromDocker({
      cpu_stats: { cpu_usage: { total_usage: 1_500_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 18_000_000_000 },
      memory_stats: { usage: 50 * 1024 * 1024, limit: 512 * 1024 * 1024, stats: { inactive_file: 10 * 1024 * 1024 } },
    });
    assert.deepEqual(stats, { cpuPercent: 50, memoryBytes: 40 * 1024 * 1024, memoryLimitBytes: 512 * 1024 * 1024 });
  });

  it('answers zero CPU when Docker has no previous sample (a container that just started)', () => {
    const stats = statsFromDocker({ cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 100 }, precpu_stats: {}, memory_stats: { usage: 1000, limit: 2000, stats: { total_inactive_file: 100 } } });
    assert.equal(stats.cpuPercent, 0);
    assert.equal(stats.memoryBytes, 900);
  });
});
