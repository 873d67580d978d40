import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '@berth/config';
import { routerWorkerCount } from './router-workers';

describe('router workers', () => {
  it('runs one router process per core unless BERTH_ROUTER_WORKERS says otherwise', () => {
    assert.equal(loadConfig({}).router.workers, 'auto');
    assert.equal(routerWorkerCount('auto', 2), 2);
    assert.equal(routerWorkerCount('auto', 128), 64, 'at most 64, the most BERTH_ROUTER_WORKERS accepts');
    assert.equal(routerWorkerCount(loadConfig({ BERTH_ROUTER_WORKERS: '3' }).router.workers, 2), 3);
    assert.equal(routerWorkerCount(loadConfig({ BERTH_ROUTER_WORKERS: 'auto' }).router.workers, 8), 8);
  });

  it('refuses a worker count it cannot run, saying what it takes', () => {
    const said = { '0': 'at least 1', '65': 'at most 64', two: '"auto" or a whole number from 1 to 64', '1.5': '"auto" or a whole number' };
    for (const [value, message] of Object.entries(said)) {
      assert.throws(() => loadConfig({ BERTH_ROUTER_WORKERS: value }), (error: Error) => error.message.includes(`BERTH_ROUTER_WORKERS must be ${message}`), value);
    }
  });
});
