import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileError, DockerfileErrorCode } from './errors';
import { DockerignoreMatcher, loadDockerignore, parseDockerignore } from './dockerignore';
import { cleanPath } from './dockerignore/clean-path';
import { readTestJson } from './testing/test-data';

interface PatternCases {
  matches: Array<{ pattern: string; path: string; excluded: boolean }>;
  multiPattern: Array<{ patterns: string[]; path: string; excluded: boolean }>;
  filepathMatch: Array<{ pattern: string; path: string; excluded: boolean; error?: boolean }>;
  simple: Array<{ patterns: string[]; path: string; excluded: boolean }>;
  invalid: string[][];
  readAll: { content: string; expected: string[] };
}

const cases = readTestJson<PatternCases>('patternmatcher', 'cases.json');

function excluded(patterns: string[], path: string): boolean {
  return new DockerignoreMatcher(patterns).isExcluded(path);
}

describe('dockerignore: moby/patternmatcher cases', () => {
  it('single patterns (TestMatches)', () => {
    for (const { pattern, path, excluded: expected } of cases.matches) {
      assert.equal(excluded([pattern], path), expected, `pattern ${pattern} on ${path}`);
    }
  });

  it('several patterns (TestMatches multiPatternTests)', () => {
    for (const { patterns, path, excluded: expected } of cases.multiPattern) {
      assert.equal(excluded(patterns, path), expected, `${JSON.stringify(patterns)} on ${path}`);
    }
  });

  it("Go's filepath.Match rules (TestMatch)", () => {
    for (const { pattern, path, excluded: expected, error } of cases.filepathMatch) {
      if (error) {
        assert.throws(
          () => excluded([pattern], path),
          (thrown: unknown) => thrown instanceof DockerfileError && thrown.code === DockerfileErrorCode.InvalidIgnorePattern,
          pattern,
        );
      } else {
        assert.equal(excluded([pattern], path), expected, `pattern ${pattern} on ${path}`);
      }
    }
  });

  it('exclusions and folders (TestExclusionPattern*, TestPatternMatchesFolder*)', () => {
    for (const { patterns, path, excluded: expected } of cases.simple) {
      assert.equal(excluded(patterns, path), expected, `${JSON.stringify(patterns)} on ${path}`);
    }
  });

  it('refuses a lone ! and malformed patterns', () => {
    for (const patterns of cases.invalid) {
      assert.throws(() => new DockerignoreMatcher(patterns), /\.dockerignore: /);
    }
    assert.throws(() => new DockerignoreMatcher(['[Local-Only]/']), /invalid pattern "\[Local-Only\]"/);
  });

  it('reads ignore files like ignorefile.ReadAll (TestReadAll)', () => {
    assert.deepEqual(parseDockerignore(cases.readAll.content), cases.readAll.expected);
    assert.deepEqual(parseDockerignore('\ufeff# comment\r\nnode_modules\r\n  # not a comment\n./a/../b/\n'), ['node_modules', '# not a comment', 'b']);
  });

  it("cleans paths like Go's path.Clean", () => {
    const cases: Array<[string, string]> = [['', '.'], ['a//b/./c/..', 'a/b'], ['/../a/', '/a'], ['../../a', '../../a'], ['a/..', '.']];
    for (const [input, expected] of cases) assert.equal(cleanPath(input), expected, input);
  });
});

describe('dockerignore: Docker semantics, not gitignore', () => {
  it('anchors patterns at the context root', () => {
    const matcher = DockerignoreMatcher.fromText('node_modules\n/dist\n*.log\n');
    assert.equal(matcher.isExcluded('node_modules/x/index.js'), true);
    assert.equal(matcher.isExcluded('packages/app/node_modules/x.js'), false, 'gitignore would exclude it');
    assert.equal(matcher.isExcluded('dist/app.js'), true);
    assert.equal(matcher.isExcluded('debug.log'), true);
    assert.equal(matcher.isExcluded('logs/debug.log'), false, '* does not cross /');
  });

  it('matches any depth with **', () => {
    const matcher = DockerignoreMatcher.fromText('**/node_modules\n**/*.map\n');
    assert.equal(matcher.isExcluded('node_modules'), true);
    assert.equal(matcher.isExcluded('packages/app/node_modules/x.js'), true);
    assert.equal(matcher.isExcluded('dist/js/app.js.map'), true);
  });

  it('re-includes with ! even below an excluded directory; the last match wins', () => {
    const matcher = DockerignoreMatcher.fromText('docs\n!docs/README.md\n*.md\n!README.md\n');
    assert.equal(matcher.isExcluded('docs/guide.html'), true);
    assert.equal(matcher.isExcluded('docs/README.md'), false, 'gitignore cannot re-include inside an excluded directory');
    assert.equal(matcher.isExcluded('CHANGELOG.md'), true);
    assert.equal(matcher.isExcluded('README.md'), false);
    assert.equal(DockerignoreMatcher.fromText('!README.md\n*.md\n').isExcluded('README.md'), true, 'order matters');
  });

  it('says which excluded directories must still be walked', () => {
    const matcher = DockerignoreMatcher.fromText('*\n!src\n!config/*.json\nbuild\n!build/keep/**\n');
    assert.equal(matcher.mustWalk('.'), true);
    assert.equal(matcher.mustWalk('src'), true, 'not excluded');
    assert.equal(matcher.mustWalk('vendor'), false, 'excluded, nothing re-included below');
    assert.equal(matcher.mustWalk('config'), true, 'config/*.json may be below');
    assert.equal(matcher.mustWalk('build'), true);
    assert.equal(matcher.mustWalk('build/keep'), true);
    assert.equal(matcher.mustWalk('build/tmp'), false);
    assert.equal(matcher.isExcluded('config/app.json'), false);
    assert.equal(matcher.isExcluded('config/app.yaml'), true);
    assert.equal(DockerignoreMatcher.fromText('*\n!**/*.go\n').mustWalk('any/dir'), true);
    assert.equal(DockerignoreMatcher.fromText('tmp\n').mustWalk('tmp'), false);
    assert.equal(DockerignoreMatcher.fromText('tmp\n').hasExceptions, false);
  });
});

describe('dockerignore: choosing the file', () => {
  const files = new Map([
    ['.dockerignore', 'node_modules\n'],
    ['docker/web.Dockerfile.dockerignore', '*\n!web\n'],
  ]);
  const read = async (path: string) => files.get(path);

  it('prefers <Dockerfile>.dockerignore next to the Dockerfile', async () => {
    assert.deepEqual(await loadDockerignore('./docker/web.Dockerfile', read), {
      path: 'docker/web.Dockerfile.dockerignore',
      patterns: ['*', '!web'],
    });
  });

  it('falls back to the context .dockerignore, then to nothing', async () => {
    assert.deepEqual(await loadDockerignore('Dockerfile', read), { path: '.dockerignore', patterns: ['node_modules'] });
    assert.equal(await loadDockerignore('Dockerfile', () => null), undefined);
  });
});
