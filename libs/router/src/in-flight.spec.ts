import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BerthConfig } from '@berth/config';
import { InFlightRequests } from './in-flight';

function tracker(drainGraceMs: number): InFlightRequests {
  return new InFlightRequests({ router: { limits: { drainGraceMs } } } as unknown as BerthConfig);
}

describe('InFlightRequests drain', () => {
  it('waits for requests in flight to the drained ports only', async () => {
    const inFlight = tracker(10_000);
    inFlight.begin(1);
    inFlight.begin(2);
    const drained = inFlight.waitDrained([1], 1000);
    setTimeout(() => inFlight.end(1), 20);
    assert.equal(await drained, true);
    assert.equal(inFlight.count(2), 1);
  });

  it('closes long-lived connections of drained ports after the grace, not before, and then is drained', async () => {
    const inFlight = tracker(100);
    const closedAt: number[] = [];
    const started = Date.now();
    const untrack = inFlight.track(7, { close: () => (closedAt.push(Date.now() - started), untrack()) });
    const other = inFlight.track(8, { close: () => assert.fail('port 8 is not drained') });
    assert.equal(await inFlight.waitDrained([7], 2000), true);
    assert.equal(closedAt.length, 1);
    assert.ok(closedAt[0] >= 90, `closed after ${closedAt[0]} ms`);
    assert.equal(inFlight.longLivedCount(8), 1);
    other();
  });

  it('gives up after the timeout when a request never ends', async () => {
    const inFlight = tracker(10);
    inFlight.begin(3);
    assert.equal(await inFlight.waitDrained([3], 50), false);
  });
});
