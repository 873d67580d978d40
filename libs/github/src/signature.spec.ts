import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signPayload, verifySignature } from './signature';

describe('webhook signatures', () => {
  const body = Buffer.from('{"zen":"Keep it logically awesome."}');

  it('accepts the HMAC-SHA256 of the raw body under the secret', () => {
    assert.equal(verifySignature('s3cret', body, signPayload('s3cret', body)), true);
  });

  it('matches GitHub\'s documented example', () => {
    // https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    assert.equal(verifySignature("It's a Secret to Everybody", Buffer.from('Hello, World!'), header), true);
  });

  it('refuses a missing, malformed, other-secret or other-body signature', () => {
    assert.equal(verifySignature('s3cret', body, undefined), false);
    assert.equal(verifySignature('s3cret', body, 'sha1=abc'), false);
    assert.equal(verifySignature('s3cret', body, 'sha256=zz'), false);
    assert.equal(verifySignature('s3cret', body, signPayload('other', body)), false);
    assert.equal(verifySignature('s3cret', Buffer.from(`${body} `), signPayload('s3cret', body)), false);
  });
});
