import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { CertificateStore } from '@berth/certificates';
import { BerthConfig } from '@berth/config';
import { CertificateCache } from './certificate-cache';
import { FrontRequest, FrontResponse, TlsFront } from './tls-front';

function request(url: string, host: string, method = 'GET'): FrontRequest {
  return { url, method, host, encrypted: false };
}

/** A response that records what was written. */
function response(): FrontResponse & { written: { status?: number; headers?: Record<string, unknown>; body?: string } } {
  const written: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
  const fake = {
    written,
    writeHead(status: number, headers: Record<string, unknown>) {
      Object.assign(written, { status, headers });
      return fake;
    },
    end(body?: string) {
      written.body = body ?? '';
    },
  };
  return fake;
}

async function front(tlsPort: number | undefined): Promise<TlsFront> {
  const store = { keyAuthorization: async (token: string) => (token === 'tok' ? 'tok.thumb' : undefined) } as unknown as CertificateStore;
  const db = { query: async () => [{ name: 'shop' }] } as unknown as DataSource;
  const certificates = { lookup: (host: string) => (host.endsWith('.example') && !host.startsWith('pending.') ? {} : undefined) } as unknown as CertificateCache;
  const tlsFront = new TlsFront(store, certificates, db, { router: { tlsPort } } as BerthConfig);
  await tlsFront.onApplicationBootstrap();
  tlsFront.onApplicationShutdown();
  return tlsFront;
}

describe('TlsFront', () => {
  it('answers http-01 challenges for any host from the store, and 404 for unknown tokens', async () => {
    const tlsFront = await front(8443);
    const found = response();
    assert.equal(tlsFront.answerChallenge(request('/.well-known/acme-challenge/tok', 'anything.example'), found), true);
    const missing = response();
    assert.equal(tlsFront.answerChallenge(request('/.well-known/acme-challenge/other', 'x.example'), missing), true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([found.written.status, found.written.body], [200, 'tok.thumb']);
    assert.equal(missing.written.status, 404);
    assert.equal(tlsFront.answerChallenge(request('/index.html', 'x.example'), response()), false);
  });

  it('redirects only apps that asked and hosts with a certificate, keeps path and query, and drops the port for 443', async () => {
    const on8443 = response();
    assert.equal((await front(8443)).redirectToHttps('shop', request('/a/b?c=1', 'shop.example:8080'), on8443), true);
    assert.deepEqual([on8443.written.status, on8443.written.headers?.location], [308, 'https://shop.example:8443/a/b?c=1']);
    const on443 = response();
    assert.equal((await front(443)).redirectToHttps('shop', request('/', 'shop.example'), on443), true);
    assert.equal(on443.written.headers?.location, 'https://shop.example/');
    assert.equal((await front(443)).redirectToHttps('blog', request('/', 'blog.example'), response()), false, 'not asked');
    assert.equal((await front(undefined)).redirectToHttps('shop', request('/', 'shop.example'), response()), false, 'no TLS port, no redirect');
    assert.equal((await front(443)).redirectToHttps('shop', request('/', 'pending.example'), response()), false, 'no certificate yet, no redirect');
  });
});
