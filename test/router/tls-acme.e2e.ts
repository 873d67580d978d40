import assert from 'node:assert/strict';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { startBerthStack, BerthStack } from '../support/berth-stack';
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
    let secured = false;
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
      secured = true;
      socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
    });
    let raw = '';
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      if (!secured) return reject(new Error('the TLS handshake did not complete'));
      const [head, ...body] = raw.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: body.join('\r\n\r\n'), peer: socket.getPeerCertificate() });
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
  });
}

describe('router TLS: certificates from pebble (ACME http-01) served by SNI', () => {
  let env: TestEnv;
  let dns: StubDns;
  let pebble: Pebble;
  let stack: BerthStack;
  let upstream: http.Server;
  let tlsPort: number;
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
    // The app: a plain HTTP server that says which host and scheme reached it.
    upstream = http.createServer((request, response) => {
      response.end(JSON.stringify({ host: request.headers.host, proto: request.headers['x-forwarded-proto'], url: request.url }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    tlsPort = await freePort();
    const pebbleDir = path.join(env.config.dataDir, 'pebble');
    const pebbleListen = await freePort();
    stack = await startBerthStack({
      ...env.config,
      router: { ...env.config.router, tlsPort },
      acme: { directoryUrl: `https://127.0.0.1:${pebbleListen}/dir`, caBundlePath: path.join(pebbleDir, 'api-cert.pem'), renewBeforeMs: 30 * 86_400_000 },
    });
    pebble = await startPebble({ dir: pebbleDir, listenPort: pebbleListen, httpPort: stack.routerPort, dnsPort: dns.port });
    assert.equal((await api('POST', '/api/apps', { name: 'shop' })).status, 201);
    await registerInstance(env.config.databaseUrl, 'shop', (upstream.address() as AddressInfo).port);
  });

  after(async () => {
    await stack?.close();
    await pebble?.stop();
    await dns?.close();
    upstream?.close();
    await env?.dispose();
  });

  it('issues a certificate for a custom domain and serves the app over HTTPS with it', async () => {
    const added = await api('POST', '/api/apps/shop/domains', { hostname: 'shop.example.test' });
    assert.equal(added.status, 201);
    assert.deepEqual((added.body as { certificate: unknown }).certificate, { status: 'pending' });
    const cert = await eventually(async () => {
      const current = await certificateOf('shop.example.test');
      if (current?.status === 'failed') throw new Error(`issuance failed: ${current.lastError}`);
      return current?.status === 'issued' && current;
    }, 30_000, 'the certificate to be issued');
    assert.ok(new Date(cert.notAfter!).getTime() > Date.now() + 30 * 86_400_000);

    const root = await pebble.issuingRoot();
    const answer = await eventually(() => httpsGet(tlsPort, 'shop.example.test', '/hello?x=1', root), 5_000, 'the router to serve the new certificate');
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { host: 'shop.example.test', proto: 'https', url: '/hello?x=1' });
    assert.match(answer.peer.subjectaltname ?? '', /\bDNS:shop\.example\.test\b/);
    assert.match(String(answer.peer.issuer.CN), /Pebble/);
  });

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
    const plain = await httpGet(stack.routerPort, 'nxdomain.example.test', '/');
    assert.equal(plain.status, 200);
    assert.equal(JSON.parse(plain.body).proto, 'http');
  });

  it('redirects plain HTTP to HTTPS with 308 when the app asks for it, but still answers ACME challenges', async () => {
    const patched = await api('PATCH', '/api/apps/shop', { httpsRedirect: true });
    assert.equal(patched.status, 200);
    assert.equal((patched.body as { httpsRedirect: boolean }).httpsRedirect, true);
    const redirected = await eventually(async () => {
      const answer = await httpGet(stack.routerPort, 'shop.example.test', '/cart?id=7');
      return answer.status === 308 && answer;
    }, 5_000, 'the redirect to apply');
    assert.equal(redirected.headers.location, `https://shop.example.test:${tlsPort}/cart?id=7`);
    const challenge = await httpGet(stack.routerPort, 'shop.example.test', '/.well-known/acme-challenge/no-such-token');
    assert.equal(challenge.status, 404);
    assert.equal(challenge.body, 'no such challenge\n');
    const secure = await httpsGet(tlsPort, 'shop.example.test', '/cart?id=7', await pebble.issuingRoot());
    assert.equal(secure.status, 200);

    assert.equal((await api('PATCH', '/api/apps/shop', { httpsRedirect: 'yes' })).status, 422);
  });
});

/** A running web instance of `app` on `port`, as the deployer records one (no container needed). */
async function registerInstance(databaseUrl: string, app: string, port: number): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const [{ id }] = (await db.query(`SELECT id FROM apps WHERE name = $1`, [app])).rows;
    const [release] = (await db.query(`INSERT INTO releases (app_id, version, description) VALUES ($1, 1, 'test') RETURNING id`, [id])).rows;
    await db.query(`INSERT INTO instances (app_id, release_id, process_type, port, status) VALUES ($1, $2, 'web', $3, 'running')`, [id, release.id, port]);
  } finally {
    await db.end();
  }
}
