import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadCredentials, parseDockerConfig, registryKey } from './credentials';
import { RegistryClientError, RegistryClientErrorCode } from './errors';

describe('registry credentials', () => {
  it('reads a docker config.json: base64 auth, username/password, URL keys, Docker Hub aliases', () => {
    const config = {
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
        'ghcr.io': { username: 'me', password: 'tok' },
        'http://Registry.LAN:5000/v2/': { auth: Buffer.from('u:p').toString('base64') },
        'helper.example': {},
      },
      credsStore: 'desktop',
    };
    const map = parseDockerConfig(JSON.stringify(config), 'config.json');
    assert.deepEqual(map.get('docker.io'), { username: 'hubuser', password: 'hub:pass' });
    assert.deepEqual(map.get('ghcr.io'), { username: 'me', password: 'tok' });
    assert.deepEqual(map.get('registry.lan:5000'), { username: 'u', password: 'p' });
    assert.equal(map.has('helper.example'), false);
  });

  it('keys inline credentials the same way', async () => {
    const map = await loadCredentials({ credentials: { 'index.docker.io': { username: 'a', password: 'b' } } });
    assert.deepEqual(map.get('docker.io'), { username: 'a', password: 'b' });
    assert.equal(registryKey('https://registry-1.docker.io'), 'docker.io');
  });

  it('reads the file at the path and says which file is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-auth-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const good = join(dir, 'config.json');
    writeFileSync(good, JSON.stringify({ auths: { 'r.example': { username: 'x', password: 'y' } } }));
    assert.deepEqual((await loadCredentials({ dockerConfigPath: good })).get('r.example'), { username: 'x', password: 'y' });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    for (const path of [bad, join(dir, 'missing.json')]) {
      await assert.rejects(
        loadCredentials({ dockerConfigPath: path }),
        (error: unknown) =>
          error instanceof RegistryClientError &&
          error.code === RegistryClientErrorCode.InvalidAuthConfig &&
          error.message.includes(path) &&
          error.message.includes('BERTH_REGISTRY_AUTH'),
      );
    }
  });
});
