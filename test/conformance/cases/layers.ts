import { BASE, ConformanceCase } from '../support/case';

/** What layers do to each other: deletions, opaque directories, type changes, links. */
export const LAYER_CASES: ConformanceCase[] = [
  {
    name: 'delete-across-layers',
    covers: 'files and directories deleted in a later layer (whiteouts), also from the base image; re-created after deletion',
    files: { 'a.txt': 'a\n' },
    dockerfile: [
      `FROM ${BASE}`,
      'RUN mkdir -p /d/sub/deeper && echo 1 > /d/sub/f && echo 2 > /d/g && echo 3 > /top && echo 4 > /d/sub/deeper/h',
      'RUN rm /top && rm -r /d/sub',
      'RUN rm /etc/group /bin/vi',
      'COPY a.txt /top',
      'RUN rm /d/g && rmdir /d',
    ].join('\n'),
  },
  {
    name: 'opaque-dirs',
    covers: 'rm -rf of a directory then re-creating it (opaque directory), over a lower layer, after COPY, nested, over the base image',
    files: { 'dir/one': '1\n', 'dir/two': '2\n', 'dir2/three': '3\n' },
    dockerfile: [
      `FROM ${BASE}`,
      'RUN mkdir -p /o/a/b && echo 1 > /o/a/b/f && echo 2 > /o/keep',
      'RUN rm -rf /o && mkdir -p /o/a && echo new > /o/a/new',
      'COPY dir /p/',
      'RUN rm -rf /p && mkdir /p',
      'COPY dir2 /p/',
      'RUN rm -rf /o/a && mkdir /o/a && chmod 700 /o/a',
      // /bin of the base layer replaced by a directory holding only a symlink (opaque over the base)
      'RUN ["/bin/busybox", "sh", "-c", "/bin/busybox cp /bin/busybox /busybox && /busybox rm -rf /bin && /busybox mkdir /bin && /busybox ln -s /busybox /bin/sh"]',
    ].join('\n'),
  },
  {
    name: 'type-changes',
    covers: 'a path changing type across layers: file<->dir, file<->symlink, dir<->symlink',
    files: { 'a.txt': 'a\n' },
    dockerfile: [
      `FROM ${BASE}`,
      'RUN echo file > /f2d && mkdir /d2f && echo x > /d2f/inner && echo target > /target && ln -s target /l2f' +
        ' && echo f > /f2l && mkdir -p /d2l/sub && touch /d2l/sub/x && ln -s /etc /l2d',
      'RUN rm /f2d && mkdir /f2d && echo inner > /f2d/x && rm -r /d2f && echo now-file > /d2f && rm /l2f && echo now-file > /l2f' +
        ' && rm /f2l && ln -s /target /f2l && rm -r /d2l && ln -s /etc /d2l && rm /l2d && mkdir /l2d && touch /l2d/y',
      'RUN rm -r /f2d && ln -s /etc /f2d',
      'RUN rm /d2f',
      'COPY a.txt /d2f/',
    ].join('\n'),
  },
  {
    name: 'symlinks',
    covers: 'symlinks: made by RUN (absolute, relative, dangling), kept inside a copied dir, followed as top-level source and in destinations',
    files: {
      'a.txt': 'a\n',
      'real/file.txt': 'real\n',
      'ctx-links/rel': { symlink: '../real/file.txt' },
      'ctx-links/abs': { symlink: '/etc/passwd' },
      'ctx-links/dangling': { symlink: 'nowhere' },
      'ctx-links/dir-link': { symlink: '.' },
      'top-link': { symlink: 'real/file.txt' },
      'dir-top-link': { symlink: 'real' },
    },
    dockerfile: [
      `FROM ${BASE}`,
      'RUN mkdir /real && echo r > /real/file && ln -s /real /abs-dir-link && ln -s real/file /rel-file-link && ln -s /nonexistent /dangling',
      'COPY ctx-links /copied-links/',
      'COPY top-link /followed',
      'COPY dir-top-link /followed-dir/',
      'COPY real/file.txt /abs-dir-link/via-link.txt',
      'COPY a.txt /rel-file-link',
      'COPY a.txt /abs-dir-link/',
    ].join('\n'),
  },
  {
    name: 'hardlinks',
    covers: 'hardlinks: within a RUN layer, to a lower-layer file, broken by a later chmod, to a base file, and COPY of context hardlinks',
    files: { 'h/a': 'one\n', 'h/b': { hardlinkTo: 'h/a' }, 'h/c': 'c\n', 'h/sub/d': { hardlinkTo: 'h/a' } },
    dockerfile: [
      `FROM ${BASE}`,
      'RUN mkdir /hl && echo one > /hl/a && ln /hl/a /hl/b && ln /hl/a /hl/c && echo two > /hl/d',
      'RUN ln /hl/d /hl/d2',
      'RUN chmod 600 /hl/c',
      'RUN ln /bin/busybox /bb-hard',
      'COPY h /copied/',
      'COPY h/a h/b /two-sources/',
    ].join('\n'),
  },
];
