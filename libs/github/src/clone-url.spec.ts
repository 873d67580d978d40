import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloneUrlKind } from './clone-url';

describe('clone URLs', () => {
  it('knows https, ssh (both syntaxes) and file URLs', () => {
    assert.equal(cloneUrlKind('https://github.com/octo/app.git'), 'https');
    assert.equal(cloneUrlKind('ssh://git@github.com/octo/app.git'), 'ssh');
    assert.equal(cloneUrlKind('git@github.com:octo/app.git'), 'ssh');
    assert.equal(cloneUrlKind('file:///srv/mirrors/app.git'), 'file');
  });

  it('refuses other transports, options, embedded passwords and relative files', () => {
    for (const url of ['http://github.com/octo/app.git', 'git://github.com/octo/app.git', 'ext::sh -c touch% /tmp/x', '--upload-pack=touch /tmp/x', 'https://u:p@github.com/octo/app.git', 'file://host/srv/app.git', 'https://github.com/', 'not a url']) {
      assert.throws(() => cloneUrlKind(url), /cloneUrl/, url);
    }
  });
});
