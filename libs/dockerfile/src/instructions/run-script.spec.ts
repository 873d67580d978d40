import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAst } from '../parser/ast-parser';
import { parseInstruction } from './parse-instruction';
import { runScript } from './run-script';
import type { RunInstruction } from './types';

function run(text: string): RunInstruction {
  const instruction = parseInstruction(parseAst(text).instructions[0]);
  assert.equal(instruction.kind, 'RUN');
  return instruction as RunInstruction;
}

describe('runScript', () => {
  it('runs exec form directly and shell form through the shell', () => {
    assert.deepEqual(runScript(run('RUN ["npm", "ci"]')), { kind: 'exec', args: ['npm', 'ci'] });
    assert.deepEqual(runScript(run('RUN npm ci && npm test')), { kind: 'shell', script: 'npm ci && npm test' });
  });

  it('runs the body of a lone heredoc as the script, tabs stripped for <<-', () => {
    assert.deepEqual(runScript(run('RUN <<-EOF\n\tset -e\n\tmake\nEOF\n')), { kind: 'shell', script: 'set -e\nmake\n' });
  });

  it('runs a lone heredoc with a shebang as an executable file', () => {
    assert.deepEqual(runScript(run("RUN <<'PY'\n#!/usr/bin/env python3\nprint('hi $X')\nPY\n")), {
      kind: 'executable',
      name: 'PY',
      content: "#!/usr/bin/env python3\nprint('hi $X')\n",
    });
  });

  it('hands heredocs used as input back to the shell', () => {
    assert.deepEqual(runScript(run('RUN python3 <<EOF > out.txt\nprint(1)\nEOF\n')), {
      kind: 'shell',
      script: 'python3 <<EOF > out.txt\nprint(1)\nEOF',
    });
  });
});
