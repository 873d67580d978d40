import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushAction, pushPayload } from './payloads';

describe('push payloads', () => {
  const link = { repository: 'Octo/App', branch: 'main' };
  const push = (patch: Record<string, unknown>) =>
    pushPayload.parse({ ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'b'.repeat(40), deleted: false, repository: { full_name: 'octo/app' }, ...patch });

  it('deploys a push to the linked repository and branch (names compared without case)', () => {
    assert.deepEqual(pushAction(push({}), link), { deploy: true });
  });

  it('says why tags, other branches, deletions and other repositories do not deploy', () => {
    assert.match((pushAction(push({ ref: 'refs/tags/v1' }), link) as { why: string }).why, /tag v1/);
    assert.match((pushAction(push({ ref: 'refs/heads/mainline' }), link) as { why: string }).why, /not the linked branch main/);
    assert.match((pushAction(push({ after: '0'.repeat(40), deleted: true }), link) as { why: string }).why, /main was deleted/);
    assert.match((pushAction(push({ repository: { full_name: 'evil/app' } }), link) as { why: string }).why, /not the linked Octo\/App/);
  });

  it('refuses payloads without commit ids', () => {
    assert.equal(pushPayload.safeParse({ ref: 'refs/heads/main', before: 'x', after: 'y', repository: { full_name: 'o/r' } }).success, false);
  });
});
