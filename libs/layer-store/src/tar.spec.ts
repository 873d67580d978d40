import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { fileHeader, readAll, run, tarOf, tempDir } from './spec-helpers';
import { TarHeader } from './tar/tar-header';
import { readTar } from './tar/tar-reader';
import { packTar } from './tar/tar-writer';

async function headersOf(archive: Buffer): Promise<TarHeader[]> {
  const headers: TarHeader[] = [];
  for await (const { header } of readTar(Readable.from([archive]))) headers.push(header);
  return headers;
}

function hasCode(code: LayerStoreErrorCode) {
  return (error: unknown): boolean => error instanceof LayerStoreError && error.code === code;
}

describe('tar codec', () => {
  it('round-trips large ids, long unicode link targets and xattrs through PAX', async () => {
    const target = `${'ziel/'.repeat(30)}ünïcødé`;
    const header: TarHeader = {
      path: 'link',
      type: 'symlink',
      mode: 0o777,
      uid: 3_000_000,
      gid: 4_000_000,
      size: 0,
      mtime: 1_700_000_000,
      linkTarget: target,
      xattrs: new Map([['user.binary', Buffer.from([0, 255, 10, 61])]]),
    };
    const [decoded] = await headersOf(await tarOf([{ header }]));
    assert.deepEqual(decoded, { ...header, uname: '', gname: '' });
    const dir = tempDir();
    await fs.writeFile(join(dir, 'a.tar'), await tarOf([{ header }]));
    assert.match(run('tar', ['--numeric-owner', '-tvf', join(dir, 'a.tar')]).stdout, /3000000\/4000000.*link -> ziel\/.*ünïcødé/);
  });

  it('streams bodies and skips the ones not read', async () => {
    const archive = await tarOf([fileHeader('a', 'x'.repeat(1000)), fileHeader('b', 'second')]);
    const bodies: string[] = [];
    for await (const { header, body } of readTar(Readable.from([archive.subarray(0, 700), archive.subarray(700)]))) {
      if (header.path === 'b') bodies.push((await readAll(body)).toString());
    }
    assert.deepEqual(bodies, ['second']);
  });

  it('refuses a damaged header checksum', async () => {
    const archive = await tarOf([fileHeader('a', 'x')]);
    archive[0] = 'b'.charCodeAt(0);
    await assert.rejects(headersOf(archive), hasCode(LayerStoreErrorCode.CorruptArchive));
  });

  it('refuses an archive cut off inside an entry', async () => {
    const archive = await tarOf([fileHeader('a', 'x'.repeat(5000))]);
    await assert.rejects(headersOf(archive.subarray(0, 2048)), hasCode(LayerStoreErrorCode.CorruptArchive));
  });

  it('refuses a file whose content does not match its declared size', async () => {
    const entry = fileHeader('a', 'abc');
    const archive = readAll(packTar([{ header: { ...entry.header, size: 10 }, content: entry.content }]));
    await assert.rejects(archive, hasCode(LayerStoreErrorCode.FileChanged));
  });
});
