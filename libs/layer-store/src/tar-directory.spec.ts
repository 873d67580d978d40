import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readAll, run, sha256Of, tempDir } from './spec-helpers';
import { skipEmptyMountStubs, tarDirectory, TarDirectoryOptions } from './tar-directory';
import { TarHeader } from './tar/tar-header';
import { readTar } from './tar/tar-reader';

const CAPABILITY = Buffer.from('0100000200200000000000000000000000000000', 'hex'); // cap_net_raw+ep
const LONG_NAME = `${'long-directory-name/'.repeat(6)}${'f'.repeat(120)}.txt`;

async function makeTree(root: string): Promise<void> {
  await fs.mkdir(join(root, 'bin'), { recursive: true });
  await fs.mkdir(join(root, 'dir with spaces/ünïcødé'), { recursive: true });
  await fs.writeFile(join(root, 'bin/tool'), 'binary');
  await fs.chmod(join(root, 'bin/tool'), 0o4755);
  await fs.writeFile(join(root, 'dir with spaces/ünïcødé/файл.txt'), 'unicode content');
  await fs.link(join(root, 'bin/tool'), join(root, 'bin/tool-hardlink'));
  await fs.symlink('tool', join(root, 'bin/tool-symlink'));
  await fs.symlink('/etc/absolute-target', join(root, 'absolute-link'));
  await fs.mkdir(join(root, LONG_NAME, '..'), { recursive: true });
  await fs.writeFile(join(root, LONG_NAME), 'deep');
  await fs.writeFile(join(root, 'owned'), 'by someone');
  await fs.chown(join(root, 'owned'), 1234, 5678);
  await fs.writeFile(join(root, 'capable'), 'needs raw sockets');
  assert.equal(run('setfattr', ['-n', 'security.capability', '-v', `0x${CAPABILITY.toString('hex')}`, join(root, 'capable')]).status, 0);
  await setTimes(root, 1_700_000_000);
}

async function setTimes(root: string, seconds: number): Promise<void> {
  for (const name of await fs.readdir(root, { recursive: true })) await fs.lutimes(join(root, name), seconds, seconds);
  await fs.utimes(root, seconds, seconds);
}

async function headersOf(dir: string, options?: TarDirectoryOptions): Promise<Map<string, TarHeader>> {
  const headers = new Map<string, TarHeader>();
  for await (const { header } of readTar(tarDirectory(dir, options))) headers.set(header.path, header);
  return headers;
}

describe('tarDirectory', () => {
  it('is deterministic: the same tree gives the same DiffID, also when copied elsewhere', async () => {
    const base = tempDir();
    await makeTree(join(base, 'a'));
    const first = sha256Of(await readAll(tarDirectory(join(base, 'a'))));
    const second = sha256Of(await readAll(tarDirectory(join(base, 'a'))));
    assert.equal(first, second);
    assert.equal(run('cp', ['-a', join(base, 'a'), join(base, 'b')]).status, 0);
    assert.equal(sha256Of(await readAll(tarDirectory(join(base, 'b')))), first);
  });

  it('preserves or clamps mtimes as asked', async () => {
    const dir = join(tempDir(), 'tree');
    await makeTree(dir);
    const preserved = await headersOf(dir);
    assert.equal(preserved.get('owned')?.mtime, 1_700_000_000);
    const clamped = await headersOf(dir, { mtime: { clamp: 1_600_000_000 } });
    assert.ok([...clamped.values()].every((header) => header.mtime === 1_600_000_000));
    const notClamped = await headersOf(dir, { mtime: { clamp: 1_800_000_000 } });
    assert.equal(notClamped.get('owned')?.mtime, 1_700_000_000);
    const fixed = sha256Of(await readAll(tarDirectory(dir, { mtime: { fixed: 0 } })));
    await setTimes(dir, 1_700_000_500);
    assert.equal(sha256Of(await readAll(tarDirectory(dir, { mtime: { fixed: 0 } }))), fixed);
    assert.notEqual(sha256Of(await readAll(tarDirectory(dir))), sha256Of(await readAll(tarDirectory(dir, { mtime: { fixed: 0 } }))));
  });

  it('keeps hardlinks, symlinks, unicode, spaces, long names, owners, setuid and capabilities', async () => {
    const dir = join(tempDir(), 'tree');
    await makeTree(dir);
    const headers = await headersOf(dir);
    assert.equal(headers.get('bin/tool')?.mode, 0o4755);
    assert.deepEqual(
      { type: headers.get('bin/tool-hardlink')?.type, target: headers.get('bin/tool-hardlink')?.linkTarget },
      { type: 'hardlink', target: 'bin/tool' },
    );
    assert.equal(headers.get('bin/tool-symlink')?.linkTarget, 'tool');
    assert.equal(headers.get('absolute-link')?.linkTarget, '/etc/absolute-target');
    assert.equal(headers.get('dir with spaces/ünïcødé/файл.txt')?.size, Buffer.byteLength('unicode content'));
    assert.equal(headers.get(LONG_NAME)?.size, 4);
    assert.deepEqual([headers.get('owned')?.uid, headers.get('owned')?.gid], [1234, 5678]);
    assert.deepEqual(headers.get('capable')?.xattrs?.get('security.capability'), CAPABILITY);
    assert.equal(headers.get('dir with spaces')?.type, 'directory');
  });

  it('writes an archive GNU tar lists and extracts to the same tree', async () => {
    const base = tempDir();
    await makeTree(join(base, 'src'));
    const archive = join(base, 'layer.tar');
    await fs.writeFile(archive, await readAll(tarDirectory(join(base, 'src'))));
    const listing = run('tar', ['-tvf', archive]);
    assert.equal(listing.status, 0, listing.stderr);
    assert.match(listing.stdout, /bin\/tool-hardlink link to bin\/tool/);
    assert.match(listing.stdout, /файл\.txt/);
    await fs.mkdir(join(base, 'out'));
    const extract = run('tar', ['--xattrs', '--xattrs-include=*', '-xpf', archive, '-C', join(base, 'out')]);
    assert.equal(extract.status, 0, extract.stderr);
    assert.equal(run('diff', ['-r', '--no-dereference', join(base, 'src'), join(base, 'out')]).status, 0);
    const tool = await fs.stat(join(base, 'out/bin/tool'));
    assert.equal(tool.mode & 0o7777, 0o4755);
    assert.equal(tool.nlink, 2);
    assert.match(run('getcap', [join(base, 'out/capable')]).stdout, /cap_net_raw=ep/);
    assert.equal((await fs.stat(join(base, 'out/owned'))).uid, 1234);
  });

  it('converts an overlay upper dir: 0/0 char devices and opaque dirs become OCI whiteouts', async () => {
    const upper = join(tempDir(), 'upper');
    await fs.mkdir(join(upper, 'etc/replaced'), { recursive: true });
    await fs.writeFile(join(upper, 'etc/replaced/new.conf'), 'new');
    assert.equal(run('mknod', [join(upper, 'etc/deleted.conf'), 'c', '0', '0']).status, 0);
    assert.equal(run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'etc/replaced')]).status, 0);
    await fs.writeFile(join(upper, 'etc/xattr-deleted'), '');
    assert.equal(run('setfattr', ['-n', 'trusted.overlay.whiteout', '-v', 'y', join(upper, 'etc/xattr-deleted')]).status, 0);
    const headers = await headersOf(upper, { overlayUpper: true });
    assert.deepEqual(
      [...headers.keys()],
      ['etc', 'etc/.wh.deleted.conf', 'etc/replaced', 'etc/replaced/.wh..wh..opq', 'etc/replaced/new.conf', 'etc/.wh.xattr-deleted'],
    );
    assert.equal(headers.get('etc/.wh.deleted.conf')?.type, 'file');
    const plain = await headersOf(upper);
    assert.equal(plain.get('etc/deleted.conf')?.type, 'char-device', 'without overlayUpper a device stays a device');
  });

  it('skips empty mount stubs but keeps real files', async () => {
    const dir = join(tempDir(), 'rootfs');
    await fs.mkdir(join(dir, 'etc'), { recursive: true });
    await fs.writeFile(join(dir, 'etc/hosts'), '');
    await fs.writeFile(join(dir, 'etc/resolv.conf'), '');
    await fs.writeFile(join(dir, 'etc/hostname'), 'kept-because-not-empty\n');
    const headers = await headersOf(dir, { skip: skipEmptyMountStubs() });
    assert.deepEqual([...headers.keys()], ['etc', 'etc/hostname']);
  });
});

describe('tarDirectory with content the caller has just written', () => {
  it('uses the known content of a file of the same size and reads any other from disk', async () => {
    const root = tempDir();
    await fs.writeFile(join(root, 'written'), 'abc');
    await fs.writeFile(join(root, 'changed'), 'longer on disk');
    const known = new Map([['written', Buffer.from('abc')], ['changed', Buffer.from('short')]]);
    const asked: string[] = [];
    const options: TarDirectoryOptions = { knownContent: (path, size) => (asked.push(path), known.get(path)?.length === size ? known.get(path) : undefined) };
    const withKnown = await readAll(tarDirectory(root, options));
    assert.deepEqual(withKnown, await readAll(tarDirectory(root)));
    assert.deepEqual(asked.sort(), ['changed', 'written']);
  });
});

describe('readTar', () => {
  for (const format of ['gnu', 'pax', 'ustar']) {
    it(`reads archives GNU tar writes in ${format} format`, async () => {
      const base = tempDir();
      await fs.mkdir(join(base, 'src/sub'), { recursive: true });
      await fs.writeFile(join(base, 'src/sub/file.txt'), 'content');
      const deep = format === 'ustar' ? 'short' : 'x'.repeat(150);
      await fs.writeFile(join(base, 'src', deep), 'long');
      const archive = join(base, 'a.tar');
      assert.equal(run('tar', [`--format=${format}`, '-cf', archive, '-C', join(base, 'src'), '.']).status, 0);
      const entries = new Map<string, string>();
      for await (const { header, body } of readTar((await fs.open(archive)).createReadStream())) {
        entries.set(header.path, (await readAll(body)).toString());
      }
      assert.equal(entries.get('./sub/file.txt'), 'content');
      assert.equal(entries.get(`./${deep}`), 'long');
    });
  }
});
