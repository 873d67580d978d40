import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from './main';

describe('berth CLI', () => {
  it('answers help without loading Nest', async () => {
    const log = console.log;
    console.log = () => {};
    try {
      assert.equal(await main(['help']), 0);
    } finally {
      console.log = log;
    }
    const loaded = Object.keys(require.cache).filter((file) => file.includes('@nestjs'));
    assert.deepEqual(loaded, []);
  });
});
