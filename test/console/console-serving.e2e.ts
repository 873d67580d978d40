import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createTestEnv, freePort, TestEnv } from '../support/test-env';

const execFileAsync = promisify(execFile);

describe('the api serves the console at /', () => {
  let env: TestEnv;
  let api: NestExpressApplication;
  let base: string;

  before(async () => {
    env = await createTestEnv();
    const port = await freePort();
    api = await createApiApp({ ...env.config, api: { port }, log: { level: 'warn', pretty: false } });
    await api.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await api?.close();
    await env?.dispose();
  });

  it('answers index.html uncached with a strict CSP, for / and for client-side routes', async () => {
    for (const route of ['/', '/apps/web/logs']) {
      const response = await fetch(`${base}${route}`);
      assert.equal(response.status, 200, route);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      const html = await response.text();
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
      assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
    }
  });

  it('serves hashed assets with long cache headers, and a missing asset is a 404', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'index.html loads a hashed script');
    const asset = await fetch(`${base}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${base}/assets/index-gone.js`)).status, 404);
  });

  it('leaves the api, health, registry, webhooks and git paths to their own handlers', async () => {
    const unknownApi = await fetch(`${base}/api/nothing-here`, { headers: { Authorization: `Bearer ${env.adminToken}` } });
    assert.equal(unknownApi.status, 404);
    assert.match(unknownApi.headers.get('content-type') ?? '', /json/);
    assert.equal((await fetch(`${base}/api/apps`)).status, 401);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/v2/`)).status, 401);
    const webhook = await fetch(`${base}/webhooks/github/x`);
    assert.doesNotMatch(webhook.headers.get('content-type') ?? '', /text\/html/);
    const git = await fetch(`${base}/nope.git/info/refs?service=git-upload-pack`);
    assert.doesNotMatch(git.headers.get('content-type') ?? '', /text\/html/);
  });

  it('keeps the bundle under 200 KB gzipped', async () => {
    const script = path.resolve(__dirname, '../../../scripts/console-size.js');
    const { stdout } = await execFileAsync(process.execPath, [script, '--json']);
    const { gzipBytes, files } = JSON.parse(stdout) as { gzipBytes: number; files: Record<string, number> };
    console.log(`console bundle: ${(gzipBytes / 1024).toFixed(1)} KB gzipped: ${JSON.stringify(files)}`);
    assert.ok(Object.keys(files).some((file) => file.endsWith('.js')));
    assert.ok(gzipBytes < 200 * 1024, `${gzipBytes} bytes gzipped`);
  });
});
