import { createCipheriv } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BASE, ConformanceCase } from '../support/case';

const LARGE_FILE_BYTES = 64 * 1024 * 1024;

/** 64 MiB of deterministic pseudo-random bytes (AES-CTR keystream), generated, never committed. */
async function writeLargeFile(dir: string): Promise<void> {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0));
  const handle = await fs.open(path.join(dir, 'big.bin'), 'w', 0o644);
  try {
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    for (let written = 0; written < LARGE_FILE_BYTES; written += chunk.length) await handle.write(cipher.update(chunk));
  } finally {
    await handle.close();
  }
}

/** What the build context holds and how it reaches the image: .dockerignore, names, modes, sizes. */
export const CONTEXT_CASES: ConformanceCase[] = [
  {
    name: 'dockerignore-patterns',
    covers: '.dockerignore: *, **, trailing /, leading /, ! exceptions inside excluded dirs, comments, Dockerfile itself',
    files: {
      '.dockerignore': [
        '# a comment',
        '*.log',
        '!important.log',
        'tmp/',
        '**/*.bak',
        'docs/**',
        '!docs/keep/**',
        '/secret.txt',
        'nested/**/ignored-*',
        '!nested/deep/ignored-but-back',
        'Dockerfile',
        '.dockerignore',
        '',
      ].join('\n'),
      'a.log': 'a\n',
      'important.log': 'important\n',
      'sub/b.log': 'b\n',
      'tmp/x': 'x\n',
      'tmp/sub/y': 'y\n',
      'src/a.bak': 'bak\n',
      'src/sub/b.bak': 'bak\n',
      'src/keep.txt': 'keep\n',
      'docs/readme.md': 'readme\n',
      'docs/keep/k.md': 'k\n',
      'docs/keep/sub/k2.md': 'k2\n',
      'secret.txt': 'secret\n',
      'sub/secret.txt': 'not so secret\n',
      'nested/a/ignored-1': '1\n',
      'nested/deep/ignored-but-back': 'back\n',
      'nested/deep/ok.txt': 'ok\n',
    },
    dockerfile: [`FROM ${BASE}`, 'COPY . /ctx/', 'COPY *.log /logs/'].join('\n'),
  },
  {
    name: 'dockerignore-allowlist',
    covers: '.dockerignore that excludes everything (*) then re-includes a directory and a file by !',
    files: {
      '.dockerignore': '*\n!app\n!config/settings.json\napp/**/*.tmp\n',
      'app/main.js': 'main\n',
      'app/cache/x.tmp': 'tmp\n',
      'app/lib/y.js': 'y\n',
      'config/settings.json': '{}\n',
      'config/other.json': '{"x":1}\n',
      'README.md': 'readme\n',
    },
    dockerfile: [`FROM ${BASE}`, 'COPY . /ctx/'].join('\n'),
  },
  {
    name: 'escape-directive',
    covers: 'the escape=` directive: backslashes are literal (also in paths), ` escapes and continues lines',
    files: { 'a.txt': 'a\n' },
    dockerfile: [
      '# escape=`',
      `FROM ${BASE}`,
      'ENV WINPATH C:\\Program Files\\App',
      'ENV ESCAPED=`$HOME OTHER=a` b',
      'RUN echo \'C:\\path\\file\' > /backslash.txt && `',
      '    echo "$WINPATH|$ESCAPED|$OTHER" >> /backslash.txt',
      'COPY a.txt /back\\slash/',
      'LABEL path=C:\\dir',
    ].join('\n'),
  },
  {
    name: 'file-modes',
    covers: 'modes from the context and from RUN: exec, private, read-only, setuid, setgid, sticky, private dirs; context owners reset to 0:0',
    files: {
      'exec.sh': { content: '#!/bin/sh\n', mode: 0o755 },
      private: { content: 'p\n', mode: 0o600 },
      readonly: { content: 'r\n', mode: 0o444 },
      suid: { content: 's\n', mode: 0o4755 },
      sgid: { content: 'g\n', mode: 0o2755 },
      odd: { content: 'o\n', mode: 0o640 },
      'sticky-dir': { dir: true, mode: 0o1777 },
      'privdir/inside': { content: 'i\n', mode: 0o644 },
    },
    setup: async (dir) => {
      await fs.chmod(path.join(dir, 'privdir'), 0o700);
      await fs.writeFile(path.join(dir, 'owned-by-1000'), 'o\n');
      await fs.chown(path.join(dir, 'owned-by-1000'), 1000, 1000);
    },
    dockerfile: [
      `FROM ${BASE}`,
      'COPY . /m/',
      'COPY privdir /privcopy',
      'COPY sticky-dir /stickycopy/',
      'RUN mkdir /r && touch /r/suid /r/sgid /r/both && chmod 4755 /r/suid && chmod 2755 /r/sgid && chmod 6711 /r/both' +
        ' && mkdir -m 1777 /r/sticky && mkdir -m 2775 /r/sgid-dir && chmod 0750 /r && chmod 0 /m/odd',
    ].join('\n'),
  },
  {
    name: 'empty-dirs',
    covers: 'empty directories: copied as a source, inside a copied tree, made by RUN',
    files: { empty: { dir: true }, 'parent/empty-child': { dir: true, mode: 0o700 }, 'only-empty/sub/subsub': { dir: true } },
    dockerfile: [`FROM ${BASE}`, 'COPY empty /e1', 'COPY parent /e2/', 'COPY only-empty /e3', 'RUN mkdir -p /r1/r2/r3 && mkdir /r4', 'COPY empty /e4/'].join('\n'),
  },
  {
    name: 'unicode-and-spaces',
    covers: 'names with unicode, spaces, quotes; names longer than 100 bytes and paths longer than 255',
    files: {
      'héllo wörld.txt': 'accents\n',
      '日本語/ファイル.txt': 'japanese\n',
      'with space/a b.txt': 'spaces\n',
      'emoji-🚀.txt': 'rocket\n',
      'quote"s.txt': 'quotes\n',
      [`long/${'x'.repeat(120)}.txt`]: 'long name\n',
      [`deep/${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(90)}/file.txt`]: 'long path\n',
    },
    dockerfile: [
      `FROM ${BASE}`,
      'COPY ["héllo wörld.txt", "/u/"]',
      'COPY 日本語 /u/jp/',
      'COPY ["with space", "/u/with space/"]',
      'COPY emoji-*.txt /u/',
      'COPY . /all/',
      'RUN touch "/u/créé par run ✓" && mkdir "/u/dossier été" && touch "/u/$(printf \'%0150d\' 0)"',
    ].join('\n'),
  },
  {
    name: 'large-file',
    covers: 'a 64 MiB file: copied, read by RUN, and copied up by a RUN that changes its mode',
    setup: writeLargeFile,
    dockerfile: [`FROM ${BASE}`, 'COPY big.bin /big/big.bin', 'RUN sha256sum /big/big.bin > /big/sum && chmod 600 /big/big.bin'].join('\n'),
  },
];
