import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileError, DockerfileErrorCode } from '../errors';
import { parseAst } from '../parser/ast-parser';
import { readTestData, readTestJson, testDataSubdirectories } from '../testing/test-data';
import { parseInstruction, parseOnbuildTrigger } from './parse-instruction';
import type { CommandLine, InlineFile, Instruction } from './types';

interface InstructionCases {
  errors: Array<{ name: string; dockerfile: string; code: string; contains: string }>;
  copyHeredoc: Array<{ dockerfile: string; destination: string; sources: string[]; inlineFiles: InlineFile[] }>;
  runHeredoc: Array<{ dockerfile: string; command: CommandLine; files: Array<{ name: string; content: string; chomp: boolean }> }>;
  healthcheckCmd: { dockerfile: string; test: string[] };
}

interface TypedExpectations {
  instructionErrors: Record<string, Record<string, string>>;
}

const cases = readTestJson<InstructionCases>('buildkit', 'instructions', 'instruction-cases.json');

/** Parses text holding one instruction (plus its here-documents). */
function parseOne(text: string): Instruction {
  return parseInstruction(parseAst(text).instructions[0]);
}

function assertFails(text: string, code: DockerfileErrorCode, contains: string): void {
  assert.throws(
    () => parseOne(text),
    (error: unknown) => {
      assert.ok(error instanceof DockerfileError, `not a DockerfileError: ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.ok(error.message.includes(contains), `${JSON.stringify(error.message)} lacks ${JSON.stringify(contains)}`);
      return true;
    },
  );
}

describe('instructions: BuildKit error cases', () => {
  for (const testCase of cases.errors) {
    it(testCase.name, () => assertFails(testCase.dockerfile, testCase.code as DockerfileErrorCode, testCase.contains));
  }
});

describe('instructions: BuildKit testfiles through the typed layer', () => {
  const { instructionErrors } = readTestJson<TypedExpectations>('buildkit', 'instructions', 'testfiles-typed.json');
  for (const name of testDataSubdirectories('buildkit', 'parser', 'testfiles')) {
    it(name, () => {
      const expectedErrors = instructionErrors[name] ?? {};
      const actualErrors: Record<string, string> = {};
      const text = readTestData('buildkit', 'parser', 'testfiles', name, 'Dockerfile');
      for (const node of parseAst(text).instructions) {
        try {
          parseInstruction(node);
        } catch (error) {
          if (!(error instanceof DockerfileError)) throw error;
          assert.ok(error.message.startsWith(`Dockerfile:${node.startLine}: `), error.message);
          actualErrors[String(node.startLine)] = error.code;
        }
      }
      assert.deepEqual(actualErrors, expectedErrors);
    });
  }
});

describe('instructions: heredocs (BuildKit TestCopyHeredoc, TestRunHeredoc)', () => {
  for (const testCase of cases.copyHeredoc) {
    it(testCase.dockerfile.split('\n')[0], () => {
      const copy = parseOne(testCase.dockerfile);
      assert.equal(copy.kind, 'COPY');
      if (copy.kind !== 'COPY') return;
      assert.deepEqual(
        { destination: copy.destination, sources: copy.sources, inlineFiles: copy.inlineFiles },
        { destination: testCase.destination, sources: testCase.sources, inlineFiles: testCase.inlineFiles },
      );
    });
  }

  for (const testCase of cases.runHeredoc) {
    it(testCase.dockerfile.split('\n')[0], () => {
      const run = parseOne(testCase.dockerfile);
      assert.equal(run.kind, 'RUN');
      if (run.kind !== 'RUN') return;
      assert.deepEqual(run.command, testCase.command);
      assert.deepEqual(
        run.heredocs.map(({ name, content, chomp }) => ({ name, content, chomp })),
        testCase.files,
      );
    });
  }
});

describe('instructions: HEALTHCHECK', () => {
  const healthcheckOf = (text: string) => {
    const instruction = parseOne(text);
    assert.equal(instruction.kind, 'HEALTHCHECK');
    return instruction.kind === 'HEALTHCHECK' ? instruction.healthcheck : undefined;
  };

  it('shell form becomes CMD-SHELL (TestHealthCheckCmd)', () => {
    assert.deepEqual(healthcheckOf(cases.healthcheckCmd.dockerfile)?.test, cases.healthcheckCmd.test);
  });

  it('stores durations in nanoseconds', () => {
    const health = healthcheckOf(
      'HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=250ms --start-interval=2s --retries=5 CMD ["curl", "-f", "http://localhost/"]',
    );
    assert.deepEqual(health, {
      test: ['CMD', 'curl', '-f', 'http://localhost/'],
      intervalNs: 90_000_000_000,
      timeoutNs: 1_500_000_000,
      startPeriodNs: 250_000_000,
      startIntervalNs: 2_000_000_000,
      retries: 5,
    });
  });

  it('accepts zero and 1ms, rejects less than 1ms (TestParseOptInterval)', () => {
    assert.equal(healthcheckOf('HEALTHCHECK --interval=0ms CMD true')?.intervalNs, 0);
    assert.equal(healthcheckOf('HEALTHCHECK --interval=1ms CMD true')?.intervalNs, 1_000_000);
    assertFails('HEALTHCHECK --timeout=999us CMD true', DockerfileErrorCode.InvalidFlagValue, 'cannot be less than 1ms');
  });

  it('rejects bad durations, negative retries and NONE with arguments or flags', () => {
    assertFails('HEALTHCHECK --interval=5 CMD true', DockerfileErrorCode.InvalidFlagValue, 'missing unit');
    assertFails('HEALTHCHECK --interval=5x CMD true', DockerfileErrorCode.InvalidFlagValue, 'unknown unit');
    assertFails('HEALTHCHECK --retries=-1 CMD true', DockerfileErrorCode.InvalidFlagValue, 'cannot be negative');
    assertFails('HEALTHCHECK NONE now', DockerfileErrorCode.InvalidArguments, 'HEALTHCHECK NONE takes no arguments');
    assertFails('HEALTHCHECK --interval=5s NONE', DockerfileErrorCode.UnknownFlag, 'HEALTHCHECK NONE takes no flags');
    assertFails('HEALTHCHECK --interval CMD true', DockerfileErrorCode.InvalidFlagValue, '--interval needs a value');
  });

  it('NONE disables the inherited check', () => {
    assert.deepEqual(healthcheckOf('healthcheck none')?.test, ['NONE']);
  });
});

describe('instructions: flags Berth refuses or does not know', () => {
  const refusals: Array<[string, string]> = [
    ['RUN --mount=type=cache,target=/root/.npm npm ci', 'RUN --mount'],
    ['RUN --network=none make', 'RUN --network'],
    ['RUN --security=insecure make', 'RUN --security'],
    ['COPY --parents a/b /dst/', 'COPY --parents'],
    ['COPY --exclude=*.md . /app', 'COPY --exclude'],
    ['ADD --exclude=*.md . /app', 'ADD --exclude'],
    ['ADD --keep-git-dir https://github.com/moby/buildkit.git /src', 'ADD --keep-git-dir'],
    ['ADD --unpack=true https://example.com/a.tar.gz /src', 'ADD --unpack'],
  ];
  for (const [text, flag] of refusals) {
    it(`refuses ${flag}`, () => {
      assertFails(`\n\n${text}`, DockerfileErrorCode.UnsupportedFlag, `Dockerfile:3: ${flag} is not supported by Berth's builder; remove the flag`);
    });
  }

  it('rejects unknown flags, naming the accepted ones', () => {
    assertFails('COPY --owner=1 a b', DockerfileErrorCode.UnknownFlag, 'unknown flag --owner for COPY; COPY accepts --from, --chown, --chmod, --link');
    assertFails('WORKDIR --mkdir /app', DockerfileErrorCode.UnknownFlag, 'WORKDIR takes no flags');
    assertFails('ARG --x=1 A', DockerfileErrorCode.UnknownFlag, 'ARG takes no flags');
  });

  it('rejects repeated, empty and malformed flag values', () => {
    assertFails('COPY --from=a --from=b x y', DockerfileErrorCode.InvalidFlagValue, 'COPY --from is given twice');
    assertFails('COPY --from x y', DockerfileErrorCode.InvalidFlagValue, 'COPY --from needs a value');
    assertFails('COPY --link=maybe x y', DockerfileErrorCode.InvalidFlagValue, 'expects true or false');
    assertFails('COPY --link= x y', DockerfileErrorCode.InvalidFlagValue, 'needs a value');
  });

  it('parses the supported COPY and ADD flags', () => {
    assert.deepEqual(parseOne('COPY --from=Build --chown=app:app --chmod=0644 --link --  a b /dst/'), {
      kind: 'COPY',
      line: 1,
      endLine: 1,
      original: 'COPY --from=Build --chown=app:app --chmod=0644 --link --  a b /dst/',
      sources: ['a', 'b'],
      inlineFiles: [],
      destination: '/dst/',
      chown: 'app:app',
      chmod: '0644',
      link: true,
      from: 'Build',
    });
    const add = parseOne('ADD --link=false --checksum=sha256:abc https://example.com/x.tgz /x');
    assert.equal(add.kind === 'ADD' && add.checksum, 'sha256:abc');
    assert.equal(add.kind === 'ADD' && add.link, false);
  });
});

describe('instructions: shapes', () => {
  it('reads FROM with platform and stage name', () => {
    const from = parseOne('FROM --platform=$BUILDPLATFORM node:20 AS Build');
    assert.deepEqual(
      from.kind === 'FROM' && [from.image, from.stageName, from.platform],
      ['node:20', 'build', '$BUILDPLATFORM'],
    );
    assertFails('FROM node AS 1st', DockerfileErrorCode.InvalidStageName, "name can't start with a number");
    assertFails('FROM node AS', DockerfileErrorCode.InvalidArguments, 'FROM requires either one or three arguments');
  });

  it('reads ENV in both forms and LABEL pairs', () => {
    const legacy = parseOne('ENV PATH /app/bin:$PATH');
    assert.deepEqual(legacy.kind === 'ENV' && legacy.variables, [{ key: 'PATH', value: '/app/bin:$PATH' }]);
    const modern = parseOne('ENV A=1 B="two words" C=three\\ words');
    assert.deepEqual(modern.kind === 'ENV' && modern.variables, [
      { key: 'A', value: '1' },
      { key: 'B', value: '"two words"' },
      { key: 'C', value: 'three\\ words' },
    ]);
    const label = parseOne('LABEL "com.example.vendor"="ACME Inc" version=1.0');
    assert.deepEqual(label.kind === 'LABEL' && label.labels, [
      { key: '"com.example.vendor"', value: '"ACME Inc"' },
      { key: 'version', value: '1.0' },
    ]);
  });

  it('reads several ARGs with and without defaults', () => {
    const arg = parseOne('ARG A B=2 C="x y"');
    assert.deepEqual(arg.kind === 'ARG' && arg.args, [{ name: 'A' }, { name: 'B', defaultValue: '2' }, { name: 'C', defaultValue: '"x y"' }]);
  });

  it('reads VOLUME as JSON or words, SHELL only as JSON', () => {
    const json = parseOne('VOLUME ["/data", "/logs"]');
    const words = parseOne('VOLUME /data /logs');
    assert.deepEqual(json.kind === 'VOLUME' && json.volumes, ['/data', '/logs']);
    assert.deepEqual(words.kind === 'VOLUME' && words.volumes, ['/data', '/logs']);
    const shell = parseOne('SHELL ["/bin/bash", "-o", "pipefail", "-c"]');
    assert.deepEqual(shell.kind === 'SHELL' && shell.shell, ['/bin/bash', '-o', 'pipefail', '-c']);
    assertFails('SHELL /bin/bash -c', DockerfileErrorCode.InvalidArguments, 'SHELL requires the arguments to be in JSON form');
  });

  it('requires a command for RUN, CMD and ENTRYPOINT; CMD [] clears', () => {
    assertFails('RUN', DockerfileErrorCode.InvalidArguments, 'RUN requires a command');
    assertFails('CMD', DockerfileErrorCode.InvalidArguments, 'CMD requires a command');
    const cmd = parseOne('CMD []');
    assert.deepEqual(cmd.kind === 'CMD' && cmd.command, { form: 'exec', args: [] });
    assertFails('CMD ["a", 1]', DockerfileErrorCode.Syntax, 'arrays must be comprised of strings only');
  });

  it('parses ONBUILD triggers now and keeps their text', () => {
    const onbuild = parseOne('ONBUILD COPY --from=deps <<EOF /x\nhi\nEOF');
    assert.equal(onbuild.kind, 'ONBUILD');
    if (onbuild.kind !== 'ONBUILD') return;
    assert.equal(onbuild.expression, 'COPY --from=deps <<EOF /x\nhi\nEOF');
    assert.equal(onbuild.trigger.kind === 'COPY' && onbuild.trigger.from, 'deps');
    assert.deepEqual(onbuild.trigger.kind === 'COPY' && onbuild.trigger.inlineFiles, [{ name: 'EOF', content: 'hi\n', expand: true }]);
    assertFails('ONBUILD RUN --mount=type=ssh true', DockerfileErrorCode.UnsupportedFlag, 'RUN --mount is not supported');
    assertFails('ONBUILD MAINTAINER me', DockerfileErrorCode.InvalidOnbuild, "MAINTAINER isn't allowed as an ONBUILD trigger");
  });

  it('parses triggers stored in an image config', () => {
    assert.equal(parseOnbuildTrigger('RUN make').kind, 'RUN');
    assert.throws(() => parseOnbuildTrigger('FROM x'), /FROM isn't allowed/);
    assert.throws(() => parseOnbuildTrigger('RUN a\nRUN b'), /single expression/);
  });

  it('suggests the closest instruction for a typo', () => {
    assertFails('CPOY a b', DockerfileErrorCode.UnknownInstruction, 'unknown instruction: CPOY (did you mean COPY?)');
    assertFails('XYZZY x', DockerfileErrorCode.UnknownInstruction, 'valid instructions are ADD, ARG');
  });
});
