import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenOf } from './registry-auth';

describe('registry credentials', () => {
  const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

  it('takes the API token from the Basic password whatever the user name, or from Bearer', () => {
    assert.equal(tokenOf(basic('berth:berth_abc')), 'berth_abc');
    assert.equal(tokenOf(basic('anyone:berth_a:b')), 'berth_a:b');
    assert.equal(tokenOf('Bearer berth_abc'), 'berth_abc');
  });

  it('finds no token without a password or with another scheme', () => {
    for (const header of [undefined, '', basic('berth'), basic('berth:'), 'Digest x', 'Basic', 'Bearer ']) {
      assert.equal(tokenOf(header), null, String(header));
    }
  });
});
