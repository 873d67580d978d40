import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { buildBaseImage } from '../support/base-image';
import { startBerthStack, BerthStack } from '../support/berth-stack';
import { GitWork } from '../support/git-work';
import { httpGet } from '../support/http';
import { Pebble, startPebble } from '../support/pebble';
import { startStubDns, StubDns } from '../support/stub-dns';
import { createTestEnv, eventually, freePort, TestEnv } from '../support/test-env';

interface TlsAnswer {
  status: number;
  body: string;
  peer: tls.PeerCertificate;
}

/** An HTTPS GET to the router on loopback, presenting `servername` by SNI and trusting only `ca`. */
function httpsGet(port: number, servername: string, urlPath: string, ca: string): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.get({ host: '127.0.0.1', port, path: urlPath, servername, ca, headers: { host: servername }, agent: false }, (response) => {
      const peer = (response.socket as tls.TLSSocket).getPeerCertificate();
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, peer }));
    });
    request.on('error', reject);
    request.setTimeout(5000, () => request.destroy(new Error('no answer within 5 s')));
  });
}

/** The app: busybox httpd whose CGI says which host, scheme and path reached it. */
const APP_FILES = {
  'www/index.html': 'home\n',
  'www/cgi-bin/echo': '#!/bin/sh\nprintf \'Content-Type: application/json\\r\\n\\r\\n{"host":"%s","proto":"%s","url":"%s"}\' "$HTTP_HOST" "$HTTP_X_FORWARDED_PROTO" "$REQUEST_URI"\n',
  Dockerfile: 'FROM busybox:test\nCOPY www /www\nRUN chmod +x /www/cgi-bin/echo\nCMD ["sh", "-c", "trap \'exit 0\' TERM; busybox httpd -f -p $PORT -h /www & wait"]\n',
};

const isRoot = process.getuid?.() === 0;

describe('router TLS: certificates from pebble (ACME http-01) served by SNI', { skip: !isRoot && 'needs root (builder) and Docker' }, () => {
  let env: TestEnv;
  let dns: StubDns;
  let pebble: Pebble;
  let stack: BerthStack;
  let work: GitWork;
  let tlsPort: number;
  let pebbleDir: string;
  let pebbleListen: number;
  const auth = () => ({ authorization: `Bearer ${env.adminToken}`, 'content-type': 'application/json' });
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${route}`, { method, headers: auth(), body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: response.status === 204 ? undefined : await response.json() };
  };
  const certificateOf = async (hostname: string) => {
    const domains = (await api('GET', '/api/apps/shop/domains')).body as Array<{ hostname: string; certificate: Record<string, string | null> }>;
    return domains.find((domain) => domain.hostname === hostname)?.certificate;
  };

  before(async () => {
    env = await createTestEnv();
    dns = await startStubDns();
    await buildBaseImage(env.config.dataDir);
    tlsPort = await freePort();
    pebbleDir = path.join(env.config.dataDir, 'pebble');
    pebbleListen = await freePort();
    stack = await startBerthStack({
      ...env.config,
      router: { ...env.config.router, tlsPort },
      acme: { directoryUrl: `https://127.0.0.1:${pebbleListen}/dir`, caBundlePath: path.join(pebbleDir, 'api-cert.pem'), renewBeforeMs: 30 * 86_400_000 },
    });
    pebble = await startPebble({ dir: pebbleDir, listenPort: pebbleListen, httpPort: stack.routerPort, dnsPort: dns.port });
    const created = await api('POST', '/api/apps', { name: 'shop' });
    assert.equal(created.status, 201);
    work = new GitWork(await fs.mkdtemp(path.join(os.tmpdir(), 'berth-tls-')));
    await work.git('init', '-q', '--initial-branch=main');
    await work.commit(APP_FILES);
    const push = await work.git('push', (created.body as { gitUrl: string }).gitUrl.replace('http://', `http://berth:${env.adminToken}@`), 'main');
    assert.equal(push.code, 0, push.stderr);
  });

  after(async () => {
    if (stack) await api('DELETE', '/api/apps/shop').catch(() => undefined);
    await stack?.close();
    await pebble?.stop();
    await dns?.close();
    await env?.dispose();
    if (work) await fs.rm(work.dir, { recursive: true, force: true });
  });

  it('issues a certificate for a custom domain and serves the app over HTTPS with it', async () => {
    const added = await api('POST', '/api/apps/shop/domains', { hostname: 'shop.example.test' });
    assert.equal(added.status, 201);
    assert.deepEqual((added.body as { certificate: unknown }).certificate, { status: 'pending' });
    const cert = await waitIssued('shop.example.test');
    assert.ok(new Date(cert.notAfter!).getTime() > Date.now() + 30 * 86_400_000);

    const root = await pebble.issuingRoot();
    const answer = await eventually(() => httpsGet(tlsPort, 'shop.example.test', '/cgi-bin/echo?x=1', root), 5_000, 'the router to serve the new certificate');
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { host: 'shop.example.test', proto: 'https', url: '/cgi-bin/echo?x=1' });
    assert.match(answer.peer.subjectaltname ?? '', /\bDNS:shop\.example\.test\b/);
    assert.match(String(answer.peer.issuer.CN), /Pebble/);
  });

  const waitIssued = (hostname: string) =>
    eventually(async () => {
      const current = await certificateOf(hostname);
      if (current?.status === 'failed') throw new Error(`issuance failed: ${current.lastError}`);
      return current?.status === 'issued' && current;
    }, 30_000, `the certificate for ${hostname}`);

  it('fails the TLS handshake for a hostname that has no certificate', async () => {
    const root = await pebble.issuingRoot();
    await assert.rejects(httpsGet(tlsPort, 'unknown.example.test', '/', root), /handshake|alert|ECONNRESET|socket disconnected/i);
  });

  it('says a wildcard domain gets no automatic certificate', async () => {
    const added = await api('POST', '/api/apps/shop/domains', { hostname: '*.wild.example.test' });
    assert.equal(added.status, 201);
    assert.equal((added.body as { certificate: { status: string } }).certificate.status, 'unsupported');
    assert.match((await certificateOf('*.wild.example.test'))?.message ?? '', /http-01 cannot prove a wildcard/);
  });

  it('records a failed order with the reason and keeps serving the domain over plain HTTP', async () => {
    assert.equal((await api('POST', '/api/apps/shop/domains', { hostname: 'nxdomain.example.test' })).status, 201);
    const cert = await eventually(async () => {
      const current = await certificateOf('nxdomain.example.test');
      return current?.status === 'failed' && current;
    }, 30_000, 'the order to fail');
    assert.match(cert.lastError ?? '', /nxdomain\.example\.test/i);
    assert.ok(new Date(cert.nextAttemptAt!).getTime() > Date.now(), 'a retry is scheduled with backoff');
    const plain = await httpGet(stack.routerPort, 'nxdomain.example.test', '/cgi-bin/echo');
    assert.equal(plain.status, 200);
    assert.equal(JSON.parse(plain.body).proto, 'http');
  });

  it('redirects plain HTTP to HTTPS with 308 when the app asks for it (hosts with a certificate), but still answers ACME challenges', async () => {
    const patched = await api('PATCH', '/api/apps/shop', { httpsRedirect: true });
    assert.equal(patched.status, 200);
    assert.equal((patched.body as { httpsRedirect: boolean }).httpsRedirect, true);
    const redirected = await eventually(async () => {
      const answer = await httpGet(stack.routerPort, 'shop.example.test', '/cgi-bin/echo?id=7');
      return answer.status === 308 && answer;
    }, 5_000, 'the redirect to apply');
    assert.equal(redirected.headers.location, `https://shop.example.test:${tlsPort}/cgi-bin/echo?id=7`);
    const uncertified = await httpGet(stack.routerPort, 'nxdomain.example.test', '/cgi-bin/echo');
    assert.equal(uncertified.status, 200, 'a host without a certificate stays on plain HTTP');
    const challenge = await httpGet(stack.routerPort, 'shop.example.test', '/.well-known/acme-challenge/no-such-token');
    assert.equal(challenge.status, 404);
    assert.equal(challenge.body, 'no such challenge\n');
    const secure = await httpsGet(tlsPort, 'shop.example.test', '/cgi-bin/echo?id=7', await pebble.issuingRoot());
    assert.equal(secure.status, 200);
    assert.equal(JSON.parse(secure.body).proto, 'https');

    assert.equal((await api('PATCH', '/api/apps/shop', { httpsRedirect: 'yes' })).status, 422);
    assert.equal((await api('PATCH', '/api/apps/shop', { colour: 'red' })).status, 422);
    assert.equal((await api('PATCH', '/api/apps/nope', { httpsRedirect: true })).status, 404);
  });

  it('registers again when the CA forgot Berth\'s account (a fresh pebble), and serves both certificates', async () => {
    const oldRoot = await pebble.issuingRoot();
    await pebble.stop();
    pebble = await startPebble({ dir: pebbleDir, listenPort: pebbleListen, httpPort: stack.routerPort, dnsPort: dns.port });
    assert.equal((await api('POST', '/api/apps/shop/domains', { hostname: 'www.example.test' })).status, 201);
    await waitIssued('www.example.test');
    const root = await pebble.issuingRoot();
    const fresh = await eventually(() => httpsGet(tlsPort, 'www.example.test', '/cgi-bin/echo', root), 5_000, 'the new certificate');
    assert.equal(JSON.parse(fresh.body).host, 'www.example.test');
    assert.match(fresh.peer.subjectaltname ?? '', /\bDNS:www\.example\.test\b/);
    assert.equal((await httpsGet(tlsPort, 'shop.example.test', '/cgi-bin/echo', oldRoot)).status, 200, 'the first certificate is still served');
  });
});
