import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { RepeatedErrors } from './repeated-errors';

describe('RepeatedErrors', () => {
  it('logs an error once per subject until it changes or the subject recovers', () => {
    const logged: string[] = [];
    const errors = new RepeatedErrors({ error: (message: string) => logged.push(message) } as unknown as Logger);
    errors.report('a', 'Docker is down');
    errors.report('a', 'Docker is down');
    errors.report('b', 'Docker is down');
    errors.report('a', 'timeout');
    errors.clear('a');
    errors.report('a', 'timeout');
    assert.deepEqual(logged, ['Docker is down', 'Docker is down', 'timeout', 'timeout']);
  });
});
