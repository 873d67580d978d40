import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InstanceStatus } from '@berth/db';
import { BerthLabel } from '@berth/runtime';
import { PlannedInstance, planReconcile } from './reconcile-plan';

const instance = (id: string, status: InstanceStatus, releaseId = 'r2', processType = 'web'): PlannedInstance => ({ id, status, releaseId, processType });
const container = (instanceId: string) => ({ id: `c-${instanceId}`, labels: { [BerthLabel.Instance]: instanceId } });

describe('planReconcile', () => {
  it('has nothing to do when the formation runs', () => {
    const plan = planReconcile({ desired: { web: 2 }, currentReleaseId: 'r2', instances: [instance('a', InstanceStatus.Running), instance('b', InstanceStatus.Running)], containers: [container('a'), container('b')] });
    assert.deepEqual(plan, { abandoned: [], missing: {}, retire: [], strays: [] });
  });

  it('replaces crashed and unhealthy instances: the unhealthy one retires after its replacement serves', () => {
    const plan = planReconcile({
      desired: { web: 2, worker: 1 },
      currentReleaseId: 'r2',
      instances: [instance('a', InstanceStatus.Running), instance('b', InstanceStatus.Unhealthy)],
      containers: [container('a'), container('b'), container('crashed')],
    });
    assert.deepEqual(plan.missing, { web: 1, worker: 1 });
    assert.deepEqual(plan.retire, ['b']);
    assert.deepEqual(plan.strays, ['c-crashed']);
  });

  it('finishes what a stopped worker left: starting instances go, draining and outdated ones retire', () => {
    const plan = planReconcile({
      desired: { web: 1 },
      currentReleaseId: 'r2',
      instances: [instance('new', InstanceStatus.Running), instance('old', InstanceStatus.Draining, 'r1'), instance('older', InstanceStatus.Running, 'r0'), instance('half', InstanceStatus.Starting, 'r3')],
      containers: [container('new'), container('old'), container('older'), container('half')],
    });
    assert.deepEqual(plan.abandoned, ['half']);
    assert.deepEqual(plan.retire, ['old', 'older']);
    assert.deepEqual(plan.missing, {});
    assert.deepEqual(plan.strays, ['c-half'], 'the abandoned instance is stopped with its container');
  });

  it('starts nothing without a deployed release, and keeps what runs', () => {
    const plan = planReconcile({ desired: {}, currentReleaseId: null, instances: [instance('a', InstanceStatus.Running, 'r1')], containers: [container('a'), { id: 'unlabelled', labels: {} }] });
    assert.deepEqual(plan, { abandoned: [], missing: {}, retire: [], strays: ['unlabelled'] });
  });
});
