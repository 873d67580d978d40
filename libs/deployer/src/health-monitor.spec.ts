import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { AppEvent, AppEventSink } from '@berth/app-logs';
import { InstanceStatus } from '@berth/db';
import { ContainerRuntime, ContainerState } from '@berth/runtime';
import { HealthProbe, RouterControl } from './deployer.ports';
import { FAILURES_TO_EJECT, HealthMonitor } from './health-monitor';

/** One running web instance in a fake database; containers and checks as the test sets them. */
function monitorOf(state: Partial<ContainerState> | null, verdicts: Array<true | string>) {
  const statuses = new Map<string, InstanceStatus>([['i-1', InstanceStatus.Running]]);
  const dataSource = {
    query: async () =>
      [...statuses]
        .filter(([, status]) => status === InstanceStatus.Running || status === InstanceStatus.Unhealthy)
        .map(([id, status]) => ({ id, status, app: 'shop', process: 'web', containerId: 'c-1', port: 2001 })),
    getRepository: () => ({
      update: async (where: { id: string; status: InstanceStatus }, change: { status: InstanceStatus }) => {
        if (statuses.get(where.id) !== where.status) return { affected: 0 };
        statuses.set(where.id, change.status);
        return { affected: 1 };
      },
    }),
  } as unknown as DataSource;
  const removed: string[] = [];
  const runtime = {
    inspectContainer: async (id: string) => (state ? { id, labels: {}, running: true, exitCode: null, oomKilled: false, ...state } : null),
    removeContainer: async (id: string) => void removed.push(id),
  } as unknown as ContainerRuntime;
  const probe = { checkOnce: async () => verdicts.shift() ?? true } as unknown as HealthProbe;
  const switches: Array<{ app: string; drainPorts: number[] }> = [];
  const router: RouterControl = { switchAndDrain: async (app, drainPorts) => void switches.push({ app, drainPorts }) };
  const events: AppEvent[] = [];
  const sink: AppEventSink = { emit: async (event) => void events.push(event) };
  return { monitor: new HealthMonitor(dataSource, runtime, probe, router, sink), statuses, removed, switches, events };
}

describe('HealthMonitor', () => {
  it(`ejects a web instance after ${FAILURES_TO_EJECT} failed checks in a row, and tells the routers at once`, async () => {
    const failing = Array<string>(FAILURES_TO_EJECT).fill('GET / answered 500');
    const { monitor, statuses, switches, events } = monitorOf({ running: true }, ['GET / answered 500', true, ...failing]);
    for (let round = 0; round < FAILURES_TO_EJECT + 1; round++) await monitor.checkAll();
    assert.equal(statuses.get('i-1'), InstanceStatus.Running, 'a success in between resets the count');
    await monitor.checkAll();
    assert.equal(statuses.get('i-1'), InstanceStatus.Unhealthy);
    assert.deepEqual(switches, [{ app: 'shop', drainPorts: [] }]);
    assert.equal(events.length, 1);
    assert.match(events[0].message, /web\.i-1 on port 2001 failed 3 health checks in a row \(GET \/ answered 500\)/);
    assert.equal(events[0].level, 'warn');
  });

  it('reports a dead container as a crash with its exit code, naming OOM, and removes it', async () => {
    const { monitor, statuses, removed, switches, events } = monitorOf({ running: false, exitCode: 137, oomKilled: true }, []);
    await monitor.checkAll();
    assert.equal(statuses.get('i-1'), InstanceStatus.Crashed);
    assert.deepEqual(switches, [{ app: 'shop', drainPorts: [2001] }]);
    assert.deepEqual(removed, ['c-1']);
    assert.deepEqual(
      events.map((event) => [event.level, event.message, event.instance]),
      [['error', 'web.i-1 on port 2001 crashed: killed for using too much memory (OOM), exit code 137', 'i-1']],
    );
    await monitor.checkAll();
    assert.equal(events.length, 1, 'reported once');
  });

  it('counts a vanished container as a crash', async () => {
    const { monitor, events } = monitorOf(null, []);
    await monitor.checkAll();
    assert.match(events[0].message, /crashed: its container is gone/);
  });

  it('says so when Docker restarted a crashed process between two rounds', async () => {
    const state: Partial<ContainerState> = { running: true, startedAt: '2026-01-01T00:00:00Z' };
    const { monitor, events, statuses } = monitorOf(state, []);
    await monitor.checkAll();
    state.startedAt = '2026-01-01T00:05:00Z';
    await monitor.checkAll();
    assert.deepEqual(events.map((event) => event.message), ['web.i-1 on port 2001 exited and was restarted by Docker']);
    assert.equal(statuses.get('i-1'), InstanceStatus.Running, 'it serves on: Docker brought it back');
  });

  it(`brings an unhealthy instance back after ${FAILURES_TO_EJECT} passed checks in a row, if it is still there`, async () => {
    const failing = Array<string>(FAILURES_TO_EJECT).fill('GET / failed: ECONNREFUSED');
    const { monitor, statuses, switches, events } = monitorOf({ running: true }, [...failing, true, 'still bad', true, true, true]);
    for (let round = 0; round < FAILURES_TO_EJECT; round++) await monitor.checkAll();
    assert.equal(statuses.get('i-1'), InstanceStatus.Unhealthy);
    for (let round = 0; round < 4; round++) await monitor.checkAll();
    assert.equal(statuses.get('i-1'), InstanceStatus.Unhealthy, 'a failure in between starts the count again');
    await monitor.checkAll();
    assert.equal(statuses.get('i-1'), InstanceStatus.Running);
    assert.equal(switches.length, 2, 'the routers reloaded when it left and when it came back');
    assert.match(events.at(-1)!.message, /passed 3 health checks in a row; it rejoins the rotation/);
  });
});
