import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({}, '/srv/berth');
    assert.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/berth');
    assert.equal(config.redis.url, 'redis://127.0.0.1:6379');
    assert.equal(config.dataDir, '/srv/berth/.berth');
    assert.equal(config.api.port, 3000);
    assert.equal(config.router.port, 8080);
    assert.equal(config.router.tlsPort, undefined);
    assert.equal(config.router.domain, 'localhost');
    assert.equal(config.adminToken, undefined);
    assert.equal(config.ociRuntime, 'runc');
    assert.equal(config.dockerHost, 'unix:///var/run/docker.sock');
    assert.ok(config.buildConcurrency >= 1);
    assert.deepEqual(config.registryClient, { insecureRegistries: [], auth: undefined });
  });

  it('reads every variable of the table', () => {
    const config = loadConfig(
      {
        DATABASE_URL: 'postgresql://u:p@db:5433/x',
        REDIS_URL: 'redis://cache:6380/2',
        BERTH_DATA_DIR: '/var/lib/berth',
        BERTH_API_PORT: '4000',
        BERTH_ROUTER_PORT: '80',
        BERTH_ROUTER_TLS_PORT: '443',
        BERTH_DOMAIN: 'Apps.Example.com',
        BERTH_ADMIN_TOKEN: 'tok-123',
        BERTH_OCI_RUNTIME: '/usr/sbin/runc',
        DOCKER_HOST: 'tcp://127.0.0.1:2375',
        BERTH_BUILD_CONCURRENCY: '3',
      },
      '/ignored',
    );
    assert.equal(config.databaseUrl, 'postgresql://u:p@db:5433/x');
    assert.equal(config.dataDir, '/var/lib/berth');
    assert.equal(config.api.port, 4000);
    assert.equal(config.router.tlsPort, 443);
    assert.equal(config.router.domain, 'apps.example.com');
    assert.equal(config.adminToken, 'tok-123');
    assert.equal(config.buildConcurrency, 3);
  });

  const bad: Array<[string, string]> = [
    ['BERTH_API_PORT', 'abc'],
    ['BERTH_API_PORT', '70000'],
    ['BERTH_ROUTER_PORT', '8080.5'],
    ['DATABASE_URL', 'mysql://localhost/berth'],
    ['REDIS_URL', 'not a url'],
    ['BERTH_DOMAIN', 'bad domain!'],
    ['DOCKER_HOST', 'ftp://x'],
    ['BERTH_ADMIN_TOKEN', 'has space'],
    ['BERTH_BUILD_CONCURRENCY', '0'],
    ['BERTH_INSECURE_REGISTRIES', 'http://registry.lan:5000'],
    ['BERTH_INSECURE_REGISTRIES', 'ok.lan, bad host'],
    ['BERTH_REGISTRY_AUTH', '{"ghcr.io": '],
    ['BERTH_REGISTRY_AUTH', '{"ghcr.io": {"username": "u"}}'],
    ['BERTH_ACME_DIRECTORY_URL', 'http://acme.example/directory'],
    ['BERTH_ACME_EMAIL', 'not-an-email'],
    ['BERTH_ACME_RENEW_DAYS', '0'],
  ];
  for (const [variable, value] of bad) {
    it(`refuses ${variable}=${value} with one line naming the variable`, () => {
      assert.throws(
        () => loadConfig({ [variable]: value }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.variable, variable);
          assert.match(error.message, new RegExp(`^Invalid configuration: ${variable} `));
          assert.ok(!error.message.includes('\n'), 'one line');
          return true;
        },
      );
    });
  }

  it('reads the ACME variables, defaulting to Let\'s Encrypt and a 30-day renewal window', () => {
    assert.deepEqual(loadConfig({}, '/srv').acme, { directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory', email: undefined, caBundlePath: undefined, renewBeforeMs: 30 * 86_400_000 });
    const set = loadConfig({ BERTH_ACME_DIRECTORY_URL: 'https://127.0.0.1:14000/dir', BERTH_ACME_EMAIL: 'ops@example.com', BERTH_ACME_CA_BUNDLE: 'ca.pem', BERTH_ACME_RENEW_DAYS: '10' }, '/srv');
    assert.deepEqual(set.acme, { directoryUrl: 'https://127.0.0.1:14000/dir', email: 'ops@example.com', caBundlePath: '/srv/ca.pem', renewBeforeMs: 10 * 86_400_000 });
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ BERTH_API_PORT: '' }).api.port, 3000);
  });

  it('reads the registry variables: insecure hosts, inline credentials or a docker config path', () => {
    const inline = loadConfig({
      BERTH_INSECURE_REGISTRIES: ' registry.lan:5000, 10.0.0.7 ,[fd00::1]:5000,',
      BERTH_REGISTRY_AUTH: '{"ghcr.io": {"username": "me", "password": "p4ss"}}',
    });
    assert.deepEqual(inline.registryClient, {
      insecureRegistries: ['registry.lan:5000', '10.0.0.7', '[fd00::1]:5000'],
      auth: { credentials: { 'ghcr.io': { username: 'me', password: 'p4ss' } } },
    });
    const file = loadConfig({ BERTH_REGISTRY_AUTH: 'docker/config.json' }, '/srv/berth');
    assert.deepEqual(file.registryClient.auth, { dockerConfigPath: '/srv/berth/docker/config.json' });
  });

  it('never echoes BERTH_REGISTRY_AUTH in its error, since it may hold a password', () => {
    assert.throws(
      () => loadConfig({ BERTH_REGISTRY_AUTH: '{"ghcr.io": {"username": "me", "password": "hunter2"' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2'),
    );
  });
});
