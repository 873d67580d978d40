import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcfile } from './procfile';

describe('parseProcfile', () => {
  it('reads process types and their commands', () => {
    assert.deepEqual(parseProcfile('web: node server.js --port $PORT\n# jobs\nworker: node worker.js\r\n\nrelease: ./migrate.sh\n'), {
      web: 'node server.js --port $PORT',
      worker: 'node worker.js',
      release: './migrate.sh',
    });
  });

  it('refuses malformed lines naming them', () => {
    assert.throws(() => parseProcfile('web node server.js'), /line 1: expected "type: command"/);
    assert.throws(() => parseProcfile('Web: x'), /line 1: "Web" is not a process type/);
    assert.throws(() => parseProcfile('web:\n'), /has no command/);
    assert.throws(() => parseProcfile('web: a\nweb: b'), /line 2: .*defined twice/);
  });
});
