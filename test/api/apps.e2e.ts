import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import request from 'supertest';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { BerthLabel, dockerOptions } from '@berth/runtime';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { ensureBusyboxImage } from '../support/busybox-image';
import { createTestEnv, TestEnv } from '../support/test-env';

describe('apps API', () => {
  let env: TestEnv;
  let app: NestExpressApplication;
  let auth: { Authorization: string };
  const http = () => request(app.getHttpServer());

  before(async () => {
    env = await createTestEnv();
    app = await createApiApp({ ...env.config, log: { level: 'warn', pretty: false } });
    await app.init();
    auth = { Authorization: `Bearer ${env.adminToken}` };
  });

  after(async () => {
    await app?.close();
    await env?.dispose();
  });

  describe('health', () => {
    it('GET /healthz answers 200 without a token', async () => {
      await http().get('/healthz').expect(200, { status: 'ok' });
    });

    it('GET /readyz answers 200 when Postgres, Redis and Docker answer', async () => {
      const response = await http().get('/readyz').expect(200);
      assert.deepEqual(response.body.checks, { postgres: { ok: true }, redis: { ok: true }, docker: { ok: true } });
    });

    it('GET /readyz answers 503 and names the dependency that does not answer', async () => {
      const config = { ...env.config, dockerHost: 'unix:///nonexistent/docker.sock', log: { level: 'silent', pretty: false } };
      const unready = await createApiApp(config);
      await unready.init();
      try {
        const response = await request(unready.getHttpServer()).get('/readyz').expect(503);
        assert.equal(response.body.checks.postgres.ok, true);
        assert.equal(response.body.checks.redis.ok, true);
        assert.equal(response.body.checks.docker.ok, false);
        assert.match(response.body.checks.docker.error, /did not answer/);
        await request(unready.getHttpServer()).get('/healthz').expect(200);
      } finally {
        await unready.close();
      }
    });
  });

  describe('authentication', () => {
    it('refuses a request without a token', async () => {
      const response = await http().get('/api/apps').expect(401);
      assert.equal(response.body.error.code, 'missing_token');
      assert.match(response.body.error.message, /Bearer/);
    });

    it('refuses a wrong token', async () => {
      const response = await http().get('/api/apps').set('Authorization', 'Bearer berth_wrong').expect(401);
      assert.equal(response.body.error.code, 'invalid_token');
    });

    it('refuses another scheme', async () => {
      const basic = Buffer.from(`berth:${env.adminToken}`).toString('base64');
      await http().get('/api/apps').set('Authorization', `Basic ${basic}`).expect(401);
    });

    it('stores tokens hashed, never in plain text', async () => {
      const rows: Array<{ token_hash: string }> = await app.get(DataSource).query('SELECT token_hash FROM api_tokens');
      assert.ok(rows.length >= 1);
      for (const row of rows) assert.ok(!row.token_hash.includes(env.adminToken) && row.token_hash !== env.adminToken);
    });
  });

  describe('create', () => {
    it('creates an app and answers its git and web URLs', async () => {
      const response = await http().post('/api/apps').set(auth).send({ name: 'myapp' }).expect(201);
      const port = env.config.router.port;
      assert.equal(response.body.name, 'myapp');
      assert.match(response.body.gitUrl, /^http:\/\/127\.0\.0\.1:\d+\/myapp\.git$/);
      assert.equal(response.body.url, `http://myapp.${env.config.router.domain}:${port}/`);
      assert.equal(response.body.release, null);
      assert.deepEqual(response.body.instances, []);
    });

    it('answers 409 for a name that exists', async () => {
      const response = await http().post('/api/apps').set(auth).send({ name: 'myapp' }).expect(409);
      assert.equal(response.body.error.code, 'app_exists');
    });

    for (const name of ['My-App', '-app', 'app-', 'my_app', 'a.b', 'a'.repeat(64), '']) {
      it(`refuses the name ${JSON.stringify(name)} with 422`, async () => {
        const response = await http().post('/api/apps').set(auth).send({ name }).expect(422);
        assert.equal(response.body.error.code, 'invalid_app_name');
        assert.match(response.body.error.message, /lower-case letters/);
      });
    }

    for (const name of ['api', 'www', 'git', 'registry', 'console']) {
      it(`refuses the reserved name ${name}`, async () => {
        const response = await http().post('/api/apps').set(auth).send({ name }).expect(422);
        assert.equal(response.body.error.code, 'reserved_app_name');
      });
    }

    it('refuses a body without a name', async () => {
      const response = await http().post('/api/apps').set(auth).send({}).expect(422);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.match(response.body.error.message, /^name: is required/);
    });

    it('refuses a name that is not a string', async () => {
      const response = await http().post('/api/apps').set(auth).send({ name: 42 }).expect(422);
      assert.match(response.body.error.message, /^name: must be a string/);
    });

    it('refuses an empty request', async () => {
      const response = await http().post('/api/apps').set(auth).expect(422);
      assert.equal(response.body.error.code, 'validation_failed');
    });

    it('refuses malformed JSON with 400', async () => {
      const response = await http()
        .post('/api/apps')
        .set(auth)
        .set('Content-Type', 'application/json')
        .send('{"name": "x"')
        .expect(400);
      assert.equal(response.body.error.code, 'invalid_json');
    });

    it('refuses a body that is not JSON with 400', async () => {
      const response = await http().post('/api/apps').set(auth).set('Content-Type', 'text/plain').send('name=x').expect(400);
      assert.equal(response.body.error.code, 'unsupported_body');
    });

    it('refuses an oversized body with 413, and the server keeps serving', async () => {
      const huge = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
      const response = await http().post('/api/apps').set(auth).set('Content-Type', 'application/json').send(huge).expect(413);
      assert.equal(response.body.error.code, 'body_too_large');
      await http().get('/api/apps').set(auth).expect(200);
    });

    it('creates nothing for a request without a token', async () => {
      await http().post('/api/apps').send({ name: 'sneaky' }).expect(401);
      await http().get('/api/apps/sneaky').set(auth).expect(404);
    });
  });

  describe('list, show and delete', () => {
    it('lists apps by name', async () => {
      await http().post('/api/apps').set(auth).send({ name: 'another' }).expect(201);
      const response = await http().get('/api/apps').set(auth).expect(200);
      assert.deepEqual(
        response.body.map((app: { name: string }) => app.name),
        ['another', 'myapp'],
      );
    });

    it('shows an app with its current release and instances', async () => {
      const response = await http().get('/api/apps/myapp').set(auth).expect(200);
      assert.equal(response.body.name, 'myapp');
      assert.equal(response.body.release, null);
      assert.deepEqual(response.body.instances, []);
    });

    it('answers 404 for an unknown app', async () => {
      const response = await http().get('/api/apps/nope').set(auth).expect(404);
      assert.deepEqual(Object.keys(response.body.error).sort(), ['code', 'message']);
      assert.equal(response.body.error.code, 'app_not_found');
      await http().delete('/api/apps/nope').set(auth).expect(404);
    });

    it('answers 404 in the same JSON shape for an unknown route', async () => {
      const response = await http().get('/api/nothing-here').set(auth).expect(404);
      assert.equal(response.body.error.code, 'not_found');
    });

    it('deletes an app and stops its containers', async () => {
      const docker = new Docker(dockerOptions(env.config.dockerHost));
      const image = await ensureBusyboxImage(docker);
      const container = await docker.createContainer({
        Image: image,
        Cmd: ['/bin/sh', '-c', 'trap "exit 0" TERM; /bin/busybox sleep 300 & wait'],
        Labels: { [BerthLabel.App]: 'another', [BerthLabel.Installation]: env.config.installationId, 'berth.test': env.id },
        HostConfig: { NetworkMode: 'host' },
      });
      await container.start();
      await http().delete('/api/apps/another').set(auth).expect(204);
      await assert.rejects(container.inspect(), /no such container/i);
      await http().get('/api/apps/another').set(auth).expect(404);
    });
  });
});
