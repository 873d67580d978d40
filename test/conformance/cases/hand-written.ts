import { BASE, ConformanceCase } from '../support/case';

/**
 * Features Docker 20.10's builder lacks (heredocs and COPY --link came with dockerfile 1.4), so
 * these are compared with hand-written results, written from BuildKit's documented behaviour.
 */
export const HAND_WRITTEN_CASES: ConformanceCase[] = [
  {
    name: 'heredoc-copy',
    covers: 'COPY <<EOF: variables expanded unless the delimiter is quoted, <<- strips tabs, several here-documents into a dir',
    dockerfile: [
      `FROM ${BASE}`,
      'ARG NAME=world',
      'COPY <<EOF /greeting.txt',
      'hello $NAME',
      'EOF',
      'COPY <<"EOF" /literal.txt',
      'hello $NAME',
      'EOF',
      'COPY <<-EOT /tabs.txt',
      '\tindented',
      '\tEOT',
      'COPY <<one.txt <<two.txt /multi/',
      'first',
      'one.txt',
      'second',
      'two.txt',
    ].join('\n'),
    expected: {
      paths: {
        '/greeting.txt': { type: 'file', content: 'hello world\n' },
        '/literal.txt': { type: 'file', content: 'hello $NAME\n' },
        '/tabs.txt': { type: 'file', content: 'indented\n' },
        '/multi': { type: 'dir' },
        '/multi/one.txt': { type: 'file', content: 'first\n' },
        '/multi/two.txt': { type: 'file', content: 'second\n' },
      },
    },
  },
  {
    name: 'heredoc-run',
    covers: 'RUN <<EOF runs the body as a shell script; RUN cmd <<EOF feeds the here-document to the command',
    dockerfile: [
      `FROM ${BASE}`,
      'RUN <<EOF',
      'mkdir /hd',
      'echo one > /hd/one',
      'EOF',
      'RUN cat <<EOF > /hd/three',
      'three $((1+2))',
      'EOF',
      'RUN <<EOF sh',
      'echo piped > /hd/four',
      'EOF',
    ].join('\n'),
    expected: {
      paths: {
        '/hd': { type: 'dir' },
        '/hd/one': { type: 'file', content: 'one\n' },
        '/hd/three': { type: 'file', content: 'three 3\n' },
        '/hd/four': { type: 'file', content: 'piped\n' },
      },
    },
  },
  {
    name: 'heredoc-run-shebang',
    covers: 'RUN <<EOF whose body starts with #! runs it as an executable file (which is not left in the image)',
    dockerfile: [`FROM ${BASE}`, 'RUN <<EOF', '#!/bin/sh', 'echo "shebang" > /shebang.txt', 'EOF'].join('\n'),
    expected: { paths: { '/shebang.txt': { type: 'file', content: 'shebang\n' } } },
  },
  {
    name: 'copy-link',
    covers: 'COPY --link gives the same files as COPY: new parents, dir contents, --chmod, --chown',
    files: { 'a.txt': 'a\n', 'dir/f': 'f\n' },
    dockerfile: [
      `FROM ${BASE}`,
      'COPY --link a.txt /linked/a.txt',
      'COPY --link dir/ /linked-dir/',
      'COPY --link --chmod=0755 a.txt /linked-exec',
      'COPY --link --chown=1234:5678 a.txt /linked-owned/file.txt',
    ].join('\n'),
    expected: {
      paths: {
        '/linked': { type: 'dir' },
        '/linked/a.txt': { type: 'file', content: 'a\n' },
        '/linked-dir': { type: 'dir' },
        '/linked-dir/f': { type: 'file', content: 'f\n' },
        '/linked-exec': { type: 'file', content: 'a\n', mode: 0o755 },
        '/linked-owned': { type: 'dir', uid: 1234, gid: 5678 },
        '/linked-owned/file.txt': { type: 'file', content: 'a\n', uid: 1234, gid: 5678 },
      },
    },
  },
];
