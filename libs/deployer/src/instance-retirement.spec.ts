import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { InstanceEntity, InstanceStatus } from '@berth/db';
import { ContainerRuntime } from '@berth/runtime';
import { RouterControl } from './deployer.ports';
import { InstanceRetirement, STOP_GRACE_SECONDS } from './instance-retirement';

/** Records every side effect, in order, so the test reads the swap's sequence. */
function retirementWith(switchFails = false) {
  const steps: string[] = [];
  const update = async (_entity: unknown, where: { id: unknown }, change: { status: InstanceStatus }) => {
    steps.push(`status ${change.status}: ${JSON.stringify(where.id)}`);
  };
  const dataSource = {
    transaction: async (work: (manager: unknown) => Promise<void>) => {
      steps.push('begin');
      await work({ update });
      steps.push('commit');
    },
    getRepository: () => ({ update: (where: { id: string }, change: { status: InstanceStatus }) => update(null, where, change) }),
  } as unknown as DataSource;
  const runtime = {
    stopContainer: async (id: string, grace: number) => void steps.push(`SIGTERM ${id} (grace ${grace}s)`),
    removeContainer: async (id: string) => void steps.push(`remove ${id}`),
  } as unknown as ContainerRuntime;
  const router: RouterControl = {
    switchAndDrain: async (app, ports) => {
      steps.push(`routers switched ${app}, drained ${ports.join(',')}`);
      if (switchFails) throw new Error('the routers did not confirm');
    },
  };
  return { retirement: new InstanceRetirement(dataSource, runtime, router), steps };
}

const old = { id: 'old', containerId: 'c-old', port: 2001 } as InstanceEntity;

describe('InstanceRetirement.swap', () => {
  it('switches in one transaction, waits for every router to drain, and only then stops the old', async () => {
    const { retirement, steps } = retirementWith();
    await retirement.swap('shop', ['new'], [old]);
    assert.equal(steps[0], 'begin');
    assert.match(steps[1], /^status running: .*"new"/);
    assert.match(steps[2], /^status draining: .*"old"/);
    assert.deepEqual(steps.slice(3), [
      'commit',
      'routers switched shop, drained 2001',
      `SIGTERM c-old (grace ${STOP_GRACE_SECONDS}s)`,
      'remove c-old',
      'status stopped: "old"',
    ]);
  });

  it('never stops an old instance the routers did not confirm drained: it stays draining', async () => {
    const lines: string[] = [];
    const { retirement, steps } = retirementWith(true);
    await retirement.swap('shop', ['new'], [old], (line) => lines.push(line));
    assert.equal(steps.at(-1), 'routers switched shop, drained 2001');
    assert.ok(!steps.some((step) => step.startsWith('SIGTERM')));
    assert.match(lines.join('\n'), /stop once every router confirms/);
  });
});
