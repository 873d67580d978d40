import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisOptionsFromUrl } from './redis-options';

describe('redisOptionsFromUrl', () => {
  it('reads host, port and defaults', () => {
    const options = redisOptionsFromUrl('redis://127.0.0.1:6379');
    assert.equal(options.host, '127.0.0.1');
    assert.equal(options.port, 6379);
    assert.equal(options.db, 0);
    assert.equal(options.password, undefined);
    assert.equal(options.tls, undefined);
    assert.equal(options.maxRetriesPerRequest, null);
  });

  it('reads credentials, database index and TLS', () => {
    const options = redisOptionsFromUrl('rediss://user:p%40ss@cache.internal:6380/3');
    assert.equal(options.username, 'user');
    assert.equal(options.password, 'p@ss');
    assert.equal(options.port, 6380);
    assert.equal(options.db, 3);
    assert.deepEqual(options.tls, {});
  });
});
