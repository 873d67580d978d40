import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { createDataSource } from '@berth/db';
import { HealthMonitor, Reconciler } from '@berth/deployer';
import { InstanceSupervisor } from '../../apps/worker/src/instance-supervisor';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

/** Several workers, one supervisor: the Postgres advisory lock decides, and passes on when its holder goes. */
describe('instance supervision runs in one worker at a time', () => {
  let env: TestEnv;
  const dataSources: DataSource[] = [];
  let current: InstanceSupervisor | undefined;

  before(async () => {
    env = await createTestEnv();
  });

  after(async () => {
    for (const dataSource of dataSources) await dataSource.destroy().catch(() => undefined);
    await env?.dispose();
  });

  async function supervisor(): Promise<InstanceSupervisor> {
    const dataSource = await createDataSource(env.config.databaseUrl).initialize();
    dataSources.push(dataSource);
    return new InstanceSupervisor(dataSource, {} as HealthMonitor, {} as Reconciler);
  }

  it('leads in one worker; another takes over when the leader stops', async () => {
    const [first, second] = [await supervisor(), await supervisor()];
    assert.equal(await first.lead(), true);
    assert.equal(await second.lead(), false);
    assert.equal(await first.lead(), true, 'the leader keeps leading');
    await first.onApplicationShutdown();
    assert.equal(await second.lead(), true);
    current = second;
  });

  it('loses the lead when its database session dies, and another worker takes it', async () => {
    const [leader, standby] = [await supervisor(), await supervisor()];
    await current?.onApplicationShutdown();
    assert.equal(await leader.lead(), true);
    // Only this test database's sessions: other installations share the server.
    await dataSources[0].query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    // pg_terminate_backend only signals the backend: its lock goes when the process has exited.
    await eventually(() => standby.lead(), 5_000, 'the standby to take the lock once the leader session is gone');
    assert.equal(await leader.lead(), false, 'the old leader notices it lost the lock');
  });
});
