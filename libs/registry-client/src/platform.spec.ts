import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Descriptor, Platform } from '@berth/layer-store';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { defaultPlatform, selectPlatformManifest } from './platform';

function entry(name: string, platform?: Platform, annotations?: Record<string, string>): Descriptor {
  const hex = Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64);
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex}`, size: 100, platform, annotations };
}

const linux = (architecture: string, variant?: string): Platform => ({ os: 'linux', architecture, ...(variant ? { variant } : {}) });

describe('defaultPlatform', () => {
  it('is linux on the OCI name of the architecture, with the variant Docker uses', () => {
    assert.deepEqual(defaultPlatform('x64'), linux('amd64'));
    assert.deepEqual(defaultPlatform('arm64'), linux('arm64', 'v8'));
    assert.deepEqual(defaultPlatform('arm', '7'), linux('arm', 'v7'));
    assert.deepEqual(defaultPlatform('arm', undefined), linux('arm'));
  });
});

describe('selectPlatformManifest', () => {
  const amd64 = entry('amd64', linux('amd64'));
  const arm64 = entry('arm64', linux('arm64', 'v8'));
  const armv6 = entry('armv6', linux('arm', 'v6'));
  const armv7 = entry('armv7', linux('arm', 'v7'));
  const attestation = entry('att', { os: 'unknown', architecture: 'unknown' }, {
    'vnd.docker.reference.type': 'attestation-manifest',
    'vnd.docker.reference.digest': amd64.digest,
  });
  const windows = entry('win', { os: 'windows', architecture: 'amd64' });

  it('picks linux on this architecture and skips attestations and other systems', () => {
    const index = [attestation, windows, arm64, amd64];
    assert.equal(selectPlatformManifest(index, linux('amd64'), 'x').digest, amd64.digest);
    assert.equal(selectPlatformManifest(index, linux('arm64', 'v8'), 'x').digest, arm64.digest);
  });

  it('never picks an attestation, even one that claims this platform', () => {
    const sneaky = entry('sneaky', linux('amd64'), { 'vnd.docker.reference.type': 'attestation-manifest' });
    assert.equal(selectPlatformManifest([sneaky, amd64], linux('amd64'), 'x').digest, amd64.digest);
  });

  it('treats arm64 without a variant as v8', () => {
    const bare = entry('bare', linux('arm64'));
    assert.equal(selectPlatformManifest([bare], linux('arm64', 'v8'), 'x').digest, bare.digest);
  });

  it('prefers the exact ARM variant and falls back to an older one the CPU runs', () => {
    assert.equal(selectPlatformManifest([armv6, armv7], linux('arm', 'v7'), 'x').digest, armv7.digest);
    assert.equal(selectPlatformManifest([armv6], linux('arm', 'v7'), 'x').digest, armv6.digest);
    assert.throws(() => selectPlatformManifest([armv7], linux('arm', 'v6'), 'x'), RegistryClientError);
  });

  it('does not guess a micro-architecture level it cannot check', () => {
    const v3 = entry('v3', linux('amd64', 'v3'));
    assert.equal(selectPlatformManifest([v3, amd64], linux('amd64'), 'x').digest, amd64.digest);
    assert.throws(() => selectPlatformManifest([v3], linux('amd64'), 'x'), RegistryClientError);
  });

  it('names what the index offers when nothing fits', () => {
    assert.throws(
      () => selectPlatformManifest([attestation, arm64, windows, entry('none')], linux('amd64'), 'docker.io/library/x:1'),
      (error: unknown) =>
        error instanceof RegistryClientError &&
        error.code === RegistryClientErrorCode.NoMatchingPlatform &&
        error.message.includes('docker.io/library/x:1 has no image for linux/amd64') &&
        error.message.includes('linux/arm64/v8, windows/amd64, unknown') &&
        !error.message.includes('unknown/unknown'),
    );
  });
});
