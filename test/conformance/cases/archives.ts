import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { packTar, TarSourceEntry } from '@berth/layer-store';
import { BASE, ConformanceCase } from '../support/case';

const MTIME = 1_700_000_000;

function entry(p: string, type: 'file' | 'directory' | 'symlink' | 'hardlink', mode: number, owner: [number, number], extra: { content?: string; linkTarget?: string } = {}): TarSourceEntry {
  const content = extra.content === undefined ? undefined : Buffer.from(extra.content);
  return {
    header: { path: p, type, mode, uid: owner[0], gid: owner[1], size: content?.length ?? 0, mtime: MTIME, linkTarget: extra.linkTarget },
    content,
  };
}

/** A tar with owners, modes (setuid too), a symlink, a hardlink and an empty directory. */
async function sampleTar(): Promise<Buffer> {
  const entries = [
    entry('pkg', 'directory', 0o755, [1000, 1000]),
    entry('pkg/file.txt', 'file', 0o644, [1000, 1000], { content: 'file\n' }),
    entry('pkg/exec.sh', 'file', 0o755, [0, 0], { content: '#!/bin/sh\n' }),
    entry('pkg/setuid', 'file', 0o4755, [0, 0], { content: 'suid\n' }),
    entry('pkg/link', 'symlink', 0o777, [0, 0], { linkTarget: 'file.txt' }),
    entry('pkg/hard', 'hardlink', 0o644, [1000, 1000], { linkTarget: 'pkg/file.txt' }),
    entry('pkg/sub', 'directory', 0o750, [0, 0]),
    entry('pkg/sub/deep.txt', 'file', 0o600, [1234, 5678], { content: 'deep\n' }),
    entry('pkg/empty', 'directory', 0o700, [0, 0]),
    entry('top.txt', 'file', 0o644, [0, 0], { content: 'top\n' }),
  ];
  const chunks: Buffer[] = [];
  for await (const chunk of packTar(entries) as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function writeArchives(dir: string): Promise<void> {
  const tar = await sampleTar();
  await fs.writeFile(path.join(dir, 'archive.tar'), tar);
  await fs.writeFile(path.join(dir, 'archive.tar.gz'), gzipSync(tar));
  await fs.writeFile(path.join(dir, 'archive.tgz'), gzipSync(tar));
  // Docker recognises archives by their content, not by their name.
  await fs.writeFile(path.join(dir, 'archive.data'), tar);
  for (const name of ['archive.tar', 'archive.tar.gz', 'archive.tgz', 'archive.data']) await fs.chmod(path.join(dir, name), 0o644);
}

/** ADD extracts local tar archives (plain and gzipped); COPY never does. */
export const ARCHIVE_CASES: ConformanceCase[] = [
  {
    name: 'add-local-tar',
    covers: 'ADD of a local .tar extracts it (owners, modes, links kept), into dir/, a new path, an existing dir; content-detected',
    setup: writeArchives,
    dockerfile: [
      `FROM ${BASE}`,
      'ADD archive.tar /x/',
      'ADD archive.tar /y',
      'RUN mkdir -p /merge/pkg && echo keep > /merge/pkg/keep && echo old > /merge/top.txt',
      'ADD archive.tar /merge',
      'ADD archive.data /by-content/',
    ].join('\n'),
  },
  {
    name: 'add-local-targz',
    covers: 'ADD of a local .tar.gz and .tgz extracts them; ADD --chown applies to the extracted files',
    setup: writeArchives,
    dockerfile: [`FROM ${BASE}`, 'ADD archive.tar.gz /z/', 'ADD archive.tgz /t/', 'ADD --chown=app:staff archive.tar.gz /owned/'].join('\n'),
  },
  {
    name: 'copy-archive-not-extracted',
    covers: 'COPY of .tar and .tar.gz files copies them as files; ADD of a file that only looks like an archive copies it',
    setup: async (dir) => {
      await writeArchives(dir);
      await fs.writeFile(path.join(dir, 'fake.tar.gz'), 'not really gzip\n');
      await fs.chmod(path.join(dir, 'fake.tar.gz'), 0o644);
    },
    dockerfile: [`FROM ${BASE}`, 'COPY archive.tar archive.tar.gz /keep/', 'COPY archive.tgz /renamed.tgz', 'ADD fake.tar.gz /fake/'].join('\n'),
  },
];
