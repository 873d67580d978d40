import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkScale, desiredFormation } from './formation';

describe('formation', () => {
  it('runs one web by default, and no other types until scaled', () => {
    assert.deepEqual(desiredFormation({}, {}), { web: 1 });
    assert.deepEqual(desiredFormation({}, { web: 'a', worker: 'b', release: 'c' }), { web: 1, worker: 0 });
    assert.deepEqual(desiredFormation({ web: 3, worker: 2 }, { web: 'a', worker: 'b' }), { web: 3, worker: 2 });
  });

  it('checks scale requests against the process types', () => {
    assert.deepEqual(checkScale({ web: 2, worker: 0 }, { worker: 'x' }), { web: 2, worker: 0 });
    assert.throws(() => checkScale({ clock: 1 }, { web: 'x' }), /"clock" is not a process type/);
    assert.throws(() => checkScale({ release: 1 }, { release: 'x' }), /not a process type/);
    assert.throws(() => checkScale({ web: -1 }, {}), /whole number/);
    assert.throws(() => checkScale({ web: 1.5 }, {}), /whole number/);
  });
});
