import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBerth } from '../support/berth-process';

describe('berth commands', () => {
  it('help starts fast and lists the commands', () => {
    const started = Date.now();
    const result = runBerth(['help'], process.env);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /up .*supervised/);
    assert.ok(Date.now() - started < 2000, 'berth help answers within 2 s');
  });

  it('an unknown command exits 2 with the usage', () => {
    const result = runBerth(['fly'], process.env);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown command "fly"/);
  });

  for (const [variable, value] of [
    ['BERTH_API_PORT', 'abc'],
    ['DATABASE_URL', 'mysql://x/y'],
    ['BERTH_DOMAIN', 'not a domain'],
  ]) {
    it(`bad configuration (${variable}=${value}) stops start-up with one line naming it`, () => {
      const result = runBerth(['api'], { ...process.env, [variable]: value });
      assert.equal(result.status, 1);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0], new RegExp(`^Invalid configuration: ${variable} `));
    });
  }
});
