import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { restartDelayMs } from './backoff';

describe('restartDelayMs', () => {
  it('doubles from one second and stops at thirty', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
