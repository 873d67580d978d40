import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appNameProblem } from './app-name';

describe('appNameProblem', () => {
  for (const name of ['a', 'myapp', 'my-app', 'app1', '1app', 'a'.repeat(63), 'a-b-c']) {
    it(`accepts ${JSON.stringify(name)}`, () => assert.equal(appNameProblem(name), null));
  }
  for (const name of ['', '-app', 'app-', 'My-App', 'my_app', 'my.app', 'a'.repeat(64), 'app name', 'app\n', 'ü']) {
    it(`refuses ${JSON.stringify(name)}`, () => assert.equal(appNameProblem(name), 'invalid'));
  }
  for (const name of ['api', 'www', 'git', 'registry', 'console']) {
    it(`reserves ${name}`, () => assert.equal(appNameProblem(name), 'reserved'));
  }
});
