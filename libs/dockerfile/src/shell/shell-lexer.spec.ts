import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileError, DockerfileErrorCode } from '../errors';
import { readTestData, readTestJson } from '../testing/test-data';
import { expandWord, processWord, processWords, variablesInWord } from './shell-lexer';
import { reverseShellPattern, shellPatternToRegExp } from './shell-pattern';

interface EnvVarCase {
  lineNumber: number;
  source: string;
  expected: string;
}

/** BuildKit's envVarTest: `platform|source|expected`, platform A (all), U (unix) or W (windows). */
function envVarCases(): EnvVarCase[] {
  const cases: EnvVarCase[] = [];
  readTestData('buildkit', 'shell', 'envVarTest')
    .split('\n')
    .forEach((rawLine, index) => {
      const line = rawLine.trim();
      if (rawLine.startsWith('#') || line === '') return;
      const fields = line.split('|');
      assert.equal(fields.length, 3, `envVarTest line ${index + 1} must have 3 fields`);
      const [platform, source, expected] = fields.map((field) => field.trim());
      if (platform === 'W') return;
      cases.push({ lineNumber: index + 1, source, expected });
    });
  return cases;
}

interface WordsCase {
  lineNumber: number;
  source: string;
  expected: string[];
  env: Map<string, string>;
}

/** BuildKit's wordsTest: `ENV k=v` lines accumulate, other lines are `source|word,word`. */
function wordsCases(): WordsCase[] {
  const cases: WordsCase[] = [];
  const env = new Map<string, string>();
  const lines = readTestData('buildkit', 'shell', 'wordsTest').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, index) => {
    if (line.startsWith('#')) return;
    if (line.startsWith('ENV ')) {
      const assignment = line.slice(3).replace(/^ +/, '');
      const equals = assignment.indexOf('=');
      env.set(assignment.slice(0, equals), assignment.slice(equals + 1));
      return;
    }
    const fields = line.split('|');
    assert.equal(fields.length, 2, `wordsTest line ${index + 1} must have exactly one |`);
    const expected = fields[1].replace(/^ +/, '').split(',');
    cases.push({ lineNumber: index + 1, source: fields[0].trim(), expected, env: new Map(env) });
  });
  return cases;
}

interface MatchesCase {
  input: string;
  env: Record<string, string>;
  expected?: string;
  error?: boolean;
  errorContains?: string;
  matches?: string[];
  unmatched?: string[];
}

describe('shell lexer: BuildKit envVarTest', () => {
  const env = new Map([
    ['PWD', '/home'],
    ['SHELL', 'bash'],
    ['KOREAN', '한국어'],
    ['NULL', ''],
  ]);
  for (const testCase of envVarCases()) {
    it(`line ${testCase.lineNumber}: ${testCase.source}`, () => {
      if (testCase.expected === 'error') {
        assert.throws(() => processWord(testCase.source, env), DockerfileError);
      } else {
        assert.equal(processWord(testCase.source, env), testCase.expected);
      }
    });
  }
});

describe('shell lexer: BuildKit wordsTest', () => {
  for (const testCase of wordsCases()) {
    it(`line ${testCase.lineNumber}: ${testCase.source}`, () => {
      let words: string[];
      try {
        words = processWords(testCase.source, testCase.env);
      } catch {
        words = ['error'];
      }
      assert.deepEqual(words, testCase.expected);
    });
  }
});

describe('shell lexer: BuildKit matches and mandatory variables', () => {
  const { cases } = readTestJson<{ cases: MatchesCase[] }>('buildkit', 'shell', 'process-with-matches.json');
  for (const testCase of cases) {
    it(`${testCase.input} with ${JSON.stringify(testCase.env)}`, () => {
      const env = new Map(Object.entries(testCase.env));
      if (testCase.error) {
        assert.throws(
          () => expandWord(testCase.input, env),
          (error: unknown) =>
            error instanceof DockerfileError &&
            error.code === DockerfileErrorCode.Expansion &&
            error.message.includes(testCase.errorContains ?? ''),
        );
        return;
      }
      const result = expandWord(testCase.input, env);
      assert.equal(result.value, testCase.expected);
      if (testCase.matches) assert.deepEqual([...result.used].sort(), [...testCase.matches].sort());
      if (testCase.unmatched) assert.deepEqual([...result.unset].sort(), [...(testCase.unmatched ?? [])].sort());
    });
  }
});

describe('shell patterns (BuildKit TestConvertShellPatternToRegex, TestReversePattern)', () => {
  it('converts wildcards and escapes regex specials', () => {
    assert.equal(shellPatternToRegExp('*', true, true).source, '^.*');
    assert.equal(shellPatternToRegExp('?', true, true).source, '^.');
    assert.equal(shellPatternToRegExp('\\*', true, true).source, '^\\*');
    assert.equal(
      shellPatternToRegExp('(()[]{\\}^$.\\*\\?|\\\\', true, true).source,
      '^\\(\\(\\)\\[\\]\\{\\}\\^\\$\\.\\*\\?\\|\\\\',
    );
  });

  it('rejects invalid escapes', () => {
    for (const pattern of ['\\', '\\x', '\\\\\\']) {
      assert.throws(() => shellPatternToRegExp(pattern, true, true), /invalid escape/);
    }
  });

  it('reverses patterns keeping escapes in front', () => {
    const cases: Array<[string, string]> = [
      ['a\\*c', 'c\\*a'],
      ['\\\\\\ab', 'b\\a\\\\'],
      ['ab\\', '\\ba'],
      ['👽\\🚀🖖', '🖖\\🚀👽'],
      ['\\\\b', 'b\\\\'],
    ];
    for (const [pattern, expected] of cases) assert.equal(reverseShellPattern(pattern), expected);
  });
});

describe('shell lexer: options', () => {
  const env = new Map([['NAME', 'berth']]);

  it('uses the backtick as escape token when the directive says so', () => {
    assert.equal(processWord('a`$NAME`"b', env, { escapeToken: '`' }), 'a$NAME"b');
    assert.equal(processWord('C:\\dir\\$NAME', env, { escapeToken: '`' }), 'C:\\dir\\berth');
  });

  it('keeps quotes and unset variables in raw mode', () => {
    const options = { rawQuotes: true, skipUnsetEnv: true };
    assert.equal(processWord(`'$NAME' "$NAME" $OTHER \${OTHER:-x}`, env, options), `'$NAME' "berth" $OTHER \${OTHER:-x}`);
  });

  it('treats quotes as text when quote processing is off (heredoc contents)', () => {
    assert.equal(processWord(`say "hi $NAME" 'and $NAME'`, env, { skipProcessQuotes: true }), `say "hi berth" 'and berth'`);
  });

  it('reports every variable a word refers to', () => {
    assert.deepEqual([...variablesInWord('${A:-$B}/${C?need C}/$D/${E#x}')].sort(), ['A', 'B', 'C', 'D', 'E']);
  });

  it('keeps the prefix of a word when a modifier follows it (BuildKit loses it in processWords)', () => {
    assert.deepEqual(processWords('hello${X:-big world}bye', new Map()), ['hellobig', 'worldbye']);
  });
});
