import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { backoffDelay, FetchFunction, HttpTransport, isRetryableStatus, RetryPolicy } from './transport';

interface Seen {
  url: string;
  authorization: string | undefined;
}

/** A fetch that answers from a script and remembers what it was sent. */
function scriptedFetch(answer: (url: URL, call: number) => Response | Error): { fetch: FetchFunction; seen: Seen[] } {
  const seen: Seen[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = (init?.headers ?? {}) as Record<string, string>;
    seen.push({ url: url.toString(), authorization: headers['authorization'] });
    assert.equal(init?.redirect, 'manual', 'redirects are followed by hand');
    const result = answer(url, seen.length);
    if (result instanceof Error) throw result;
    return result;
  };
  return { fetch: fake as FetchFunction, seen };
}

const redirect = (location: string, status = 307) => new Response(null, { status, headers: { location } });
const noWait = { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 };

function transport(fetchFn: FetchFunction, retry: RetryPolicy = noWait, sleeps: number[] = []): HttpTransport {
  return new HttpTransport({ fetch: fetchFn, retry, sleep: async (ms) => void sleeps.push(ms) });
}

describe('HttpTransport redirects', () => {
  it('never sends Authorization to another host, even if the chain comes back', async () => {
    const { fetch, seen } = scriptedFetch((url) => {
      if (url.host === 'registry.example') {
        return url.pathname.startsWith('/v2/') ? redirect('https://cdn.example/blob?sig=1') : new Response('back');
      }
      return redirect('https://registry.example/again', 302);
    });
    const response = await transport(fetch).send({
      method: 'GET',
      url: new URL('https://registry.example/v2/x/blobs/sha256:1'),
      authorization: 'Bearer secret',
    });
    assert.equal(await response.text(), 'back');
    assert.deepEqual(seen, [
      { url: 'https://registry.example/v2/x/blobs/sha256:1', authorization: 'Bearer secret' },
      { url: 'https://cdn.example/blob?sig=1', authorization: undefined },
      { url: 'https://registry.example/again', authorization: undefined },
    ]);
  });

  it('keeps Authorization on a redirect within the same origin, resolving relative locations', async () => {
    const { fetch, seen } = scriptedFetch((url) => (url.pathname === '/v2/a' ? redirect('/v2/b', 301) : new Response('ok')));
    await transport(fetch).send({ method: 'GET', url: new URL('http://127.0.0.1:5000/v2/a'), authorization: 'Basic x' });
    assert.deepEqual(seen.map((s) => [s.url, s.authorization]), [
      ['http://127.0.0.1:5000/v2/a', 'Basic x'],
      ['http://127.0.0.1:5000/v2/b', 'Basic x'],
    ]);
  });

  it('treats another port or scheme on the same host name as another origin', async () => {
    const { fetch, seen } = scriptedFetch((url) => (url.port === '' && url.protocol === 'https:' ? redirect('http://r.example/x') : new Response('ok')));
    await transport(fetch).send({ method: 'GET', url: new URL('https://r.example/v2/'), authorization: 'Bearer t' });
    assert.equal(seen[1].authorization, undefined);
  });

  it('gives up on redirect loops with a message', async () => {
    const { fetch } = scriptedFetch(() => redirect('https://r.example/loop'));
    await assert.rejects(
      transport(fetch).send({ method: 'GET', url: new URL('https://r.example/loop') }),
      (error: unknown) => error instanceof RegistryClientError && /redirected more than 10 times/.test(error.message),
    );
  });
});

describe('HttpTransport retries', () => {
  it('retries 429 and 5xx with growing delays, then returns the answer', async () => {
    const statuses = [503, 429, 502, 200];
    const { fetch, seen } = scriptedFetch((_url, call) => new Response('x', { status: statuses[call - 1] }));
    const sleeps: number[] = [];
    const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 };
    const response = await transport(fetch, policy, sleeps).send({ method: 'GET', url: new URL('https://r.example/v2/') });
    assert.equal(response.status, 200);
    assert.equal(seen.length, 4);
    assert.equal(sleeps.length, 3);
    assert.ok(sleeps[0] >= 50 && sleeps[0] <= 100, `first delay ${sleeps[0]}`);
    assert.ok(sleeps[2] >= 200 && sleeps[2] <= 400, `third delay ${sleeps[2]}`);
  });

  it('is bounded: the last answer comes back after the last attempt', async () => {
    const { fetch, seen } = scriptedFetch(() => new Response('busy', { status: 503 }));
    const response = await transport(fetch, { ...noWait, attempts: 3 }).send({ method: 'GET', url: new URL('https://r.example/') });
    assert.equal(response.status, 503);
    assert.equal(seen.length, 3);
  });

  it('honours Retry-After up to the cap', async () => {
    let calls = 0;
    const { fetch } = scriptedFetch(() => (++calls === 1 ? new Response('', { status: 429, headers: { 'retry-after': '2' } }) : new Response('ok')));
    const sleeps: number[] = [];
    await transport(fetch, { attempts: 2, baseDelayMs: 10, maxDelayMs: 5_000 }, sleeps).send({ method: 'GET', url: new URL('https://r.example/') });
    assert.deepEqual(sleeps, [2_000]);
  });

  it('does not retry answers that will not change', async () => {
    for (const status of [400, 401, 403, 404, 501]) {
      const { fetch, seen } = scriptedFetch(() => new Response('', { status }));
      await transport(fetch).send({ method: 'GET', url: new URL('https://r.example/') });
      assert.equal(seen.length, 1, `status ${status}`);
    }
    assert.equal(isRetryableStatus(500), true);
    assert.equal(isRetryableStatus(505), false);
  });

  it('retries connection errors and then names the host it could not reach', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const { fetch, seen } = scriptedFetch(() => refused);
    await assert.rejects(
      transport(fetch, { ...noWait, attempts: 3 }).send({ method: 'GET', url: new URL('https://registry.example:5000/v2/x/manifests/1') }),
      (error: unknown) =>
        error instanceof RegistryClientError &&
        error.code === RegistryClientErrorCode.Unreachable &&
        error.message.startsWith('cannot reach registry.example:5000 (ECONNREFUSED)') &&
        error.details?.['host'] === 'registry.example:5000',
    );
    assert.equal(seen.length, 3);
  });

  it('recovers when the connection comes back', async () => {
    const { fetch } = scriptedFetch((_url, call) => (call === 1 ? new TypeError('fetch failed') : new Response('ok')));
    const response = await transport(fetch).send({ method: 'GET', url: new URL('https://r.example/') });
    assert.equal(await response.text(), 'ok');
  });

  it('caps the exponential delay', () => {
    const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
    assert.ok(backoffDelay(policy, 9) <= 1_000);
    assert.ok(backoffDelay(policy, 9) >= 500);
  });
});
