import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileError } from '../errors';
import { readTestData, readTestJson, testDataSubdirectories } from '../testing/test-data';
import type { Heredoc } from './ast';
import { dumpAst, goQuote } from './ast-dump';
import { parseAst } from './ast-parser';
import { heredocsInLine, parseHeredocHeader } from './heredoc';
import { parseWords } from './line-parsers';

interface ParserCases {
  validHeredocs: string[];
  invalidHeredocs: string[];
  notHeredocs: string[];
  heredocsFromLine: Array<{ line: string; names: string[] }>;
  jsonHeredoc: string;
  parseWords: Array<{ input: string; expect: string[] }>;
  lineNumbers: { file: string; instructions: Array<[number, number]> };
  emptyContinuationLines: { dockerfile: string; warningLines: number[]; joined: string[] };
  negative: Record<string, string>;
}

const cases = readTestJson<ParserCases>('buildkit', 'parser', 'parser-cases.json');

describe('AST parser: BuildKit testfiles (dump compared with result)', () => {
  for (const name of testDataSubdirectories('buildkit', 'parser', 'testfiles')) {
    it(name, () => {
      const dockerfile = readTestData('buildkit', 'parser', 'testfiles', name, 'Dockerfile');
      const expected = readTestData('buildkit', 'parser', 'testfiles', name, 'result');
      assert.equal(dumpAst(parseAst(dockerfile).instructions), expected);
    });
  }
});

describe('AST parser: BuildKit testfiles-negative', () => {
  for (const name of testDataSubdirectories('buildkit', 'parser', 'testfiles-negative')) {
    it(name, () => {
      const dockerfile = readTestData('buildkit', 'parser', 'testfiles-negative', name, 'Dockerfile');
      assert.throws(
        () => parseAst(dockerfile),
        (error: unknown) => error instanceof DockerfileError && error.code === cases.negative[name],
      );
    });
  }
});

describe('AST parser: line numbers (BuildKit TestParseIncludesLineNumbers)', () => {
  it('records the first and last physical line of each instruction', () => {
    const { instructions } = parseAst(readTestData('buildkit', 'parser', cases.lineNumbers.file));
    assert.deepEqual(
      instructions.map((node) => [node.startLine, node.endLine]),
      cases.lineNumbers.instructions,
    );
  });

  it('warns about empty continuation lines (BuildKit TestParseWarnsOnEmptyContinutationLine)', () => {
    const { dockerfile, warningLines, joined } = cases.emptyContinuationLines;
    const result = parseAst(dockerfile);
    assert.deepEqual(
      result.warnings.map((warning) => warning.line),
      warningLines,
    );
    const originals = result.instructions.filter((node) => warningLines.includes(node.startLine));
    assert.deepEqual(
      originals.map((node) => node.original),
      joined,
    );
    const comments = result.instructions.slice(-2).map((node) => node.original);
    assert.deepEqual(comments, ['RUN non-indented    after-comment', 'RUN indented     comment']);
  });
});

describe('AST parser: heredocs (BuildKit TestParseExtractsHeredoc)', () => {
  const { expected } = readTestJson<{ expected: Heredoc[][] }>('buildkit', 'parser', 'heredoc', 'expected.json');
  const { instructions } = parseAst(readTestData('buildkit', 'parser', 'heredoc', 'Dockerfile'));
  expected.forEach((heredocs, index) => {
    const node = instructions[index + 1];
    it(`${node.original.split('\n')[0]}`, () => {
      assert.deepEqual(node.heredocs, heredocs);
    });
  });

  it('ignores heredoc syntax in exec form (TestParseJSONHeredoc)', () => {
    const nodes = parseAst(cases.jsonHeredoc).instructions;
    for (const node of nodes.slice(1)) assert.deepEqual(node.heredocs, []);
  });

  it('reads heredoc headers (TestParseHeredocHelpers)', () => {
    for (const word of cases.notHeredocs) assert.equal(parseHeredocHeader(word), undefined, word);
    for (const word of cases.validHeredocs) assert.equal(parseHeredocHeader(word)?.name, 'EOF', word);
    for (const word of cases.invalidHeredocs) assert.throws(() => parseHeredocHeader(word), DockerfileError, word);
  });

  it('finds the heredocs a line opens (TestHeredocsFromLine)', () => {
    // BuildKit only compares the names of the heredocs it finds, so `RUN <<- EOF` (which the
    // lexer splits into `<<-` and `EOF`, hence no heredoc) passes there without finding one.
    for (const { line, names } of cases.heredocsFromLine) {
      const found = heredocsInLine(line).map((header) => header.name);
      assert.deepEqual(found, names.slice(0, found.length), line);
    }
    assert.deepEqual(heredocsInLine('RUN <<- EOF'), []);
    assert.deepEqual(
      heredocsInLine('RUN <<-EOF <<"Q" 3<<X').map((header) => [header.name, header.chomp, header.expand, header.fileDescriptor]),
      [
        ['EOF', true, true, 0],
        ['Q', false, false, 0],
        ['X', false, true, 3],
      ],
    );
  });

  it('fails on an unterminated heredoc with the line where it opened', () => {
    assert.throws(() => parseAst('FROM a\n\nRUN <<EOF\necho hi\n'), /Dockerfile:3: unterminated heredoc/);
  });
});

describe('AST parser: words, directives and quoting', () => {
  it('splits words keeping quotes (TestParseWords)', () => {
    for (const { input, expect } of cases.parseWords) assert.deepEqual(parseWords(input, '\\'), expect);
  });

  it('quotes like Go strconv.Quote', () => {
    assert.equal(goQuote('a"b\\c\n\t\u0000é☃'), '"a\\"b\\\\c\\n\\t\\x00é☃"');
    assert.equal(goQuote('\u0085'), '"\\u0085"');
  });

  it('reads the escape, syntax and check directives', () => {
    const result = parseAst('# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM a\nRUN echo `\n  hi\n');
    assert.equal(result.escapeToken, '`');
    assert.deepEqual(result.directives, { syntax: 'docker/dockerfile:1', check: 'skip=all', escape: '`' });
    assert.equal(result.instructions[1].original, 'RUN echo   hi');
  });

  it('rejects a repeated or invalid directive', () => {
    assert.throws(() => parseAst('# escape=`\n# escape=\\\nFROM a'), /Dockerfile:2: only one escape parser directive/);
    assert.throws(() => parseAst('# escape=x\nFROM a'), /Dockerfile:1: invalid escape token 'x'/);
  });

  it('stops reading directives at the first other line', () => {
    const result = parseAst('FROM a\n# escape=`\nRUN a \\\n b');
    assert.equal(result.escapeToken, '\\');
    assert.equal(result.instructions[1].original, 'RUN a  b');
  });

  it('nests the ONBUILD instruction', () => {
    const [node] = parseAst('ONBUILD COPY --from=build <<EOF /x\nhello\nEOF\n').instructions;
    assert.equal(dumpAst([node]), '(onbuild (copy ["--from=build"] "<<EOF" "/x"))\n');
    assert.equal(node.heredocs[0].content, 'hello\n');
    assert.deepEqual([node.startLine, node.endLine], [1, 3]);
  });
});
