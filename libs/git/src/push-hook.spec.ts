import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT_MARKER, preReceiveHookScript, PUSH_ENV } from './push-hook';

describe('pre-receive hook', () => {
  it('is a script for the given node that speaks the api\'s protocol (env names, exit marker)', async () => {
    const script = await preReceiveHookScript('/usr/bin/node');
    assert.ok(script.startsWith('#!/usr/bin/node\n'));
    assert.ok(script.includes(`process.env.${PUSH_ENV.url}`));
    assert.ok(script.includes(`process.env.${PUSH_ENV.secret}`));
    assert.ok(script.includes(`const EXIT_MARKER = '${EXIT_MARKER.replace('\u0000', '\\u0000')}'`));
  });
});
