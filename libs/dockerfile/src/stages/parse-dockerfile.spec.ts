import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileError, DockerfileErrorCode } from '../errors';
import { readTestData, readTestJson, testDataSubdirectories } from '../testing/test-data';
import { parseDockerfile } from './parse-dockerfile';

function assertFails(action: () => unknown, code: DockerfileErrorCode, contains: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof DockerfileError, String(error));
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.includes(contains), `${JSON.stringify(error.message)} lacks ${JSON.stringify(contains)}`);
    return true;
  });
}

const MULTI_STAGE = `# syntax=docker/dockerfile:1
ARG NODE_VERSION=20
ARG REGISTRY=docker.io
FROM \${REGISTRY}/library/node:\${NODE_VERSION}-alpine AS deps
RUN npm ci

FROM deps AS build
COPY --from=assets /logo.png /app/
RUN npm run build

FROM nginx:1.27 AS assets
COPY logo.png /

FROM Build AS test
RUN npm test

FROM nginx:1.27
COPY --from=build /app/dist /usr/share/nginx/html
`;

describe('parseDockerfile: stages and targets', () => {
  it('splits global ARGs and stages, and resolves bases', () => {
    const dockerfile = parseDockerfile(MULTI_STAGE);
    assert.deepEqual(
      dockerfile.globalArgs.map(({ name, value, line }) => ({ name, value, line })),
      [
        { name: 'NODE_VERSION', value: '20', line: 2 },
        { name: 'REGISTRY', value: 'docker.io', line: 3 },
      ],
    );
    assert.deepEqual(
      dockerfile.stages.map((stage) => [stage.index, stage.name, stage.base]),
      [
        [0, 'deps', { kind: 'image', reference: 'docker.io/library/node:20-alpine' }],
        [1, 'build', { kind: 'stage', index: 0 }],
        [2, 'assets', { kind: 'image', reference: 'nginx:1.27' }],
        [3, 'test', { kind: 'stage', index: 1 }],
        [4, undefined, { kind: 'image', reference: 'nginx:1.27' }],
      ],
    );
    assert.equal(dockerfile.directives.syntax, 'docker/dockerfile:1');
  });

  it('builds the last stage by default, after what it needs', () => {
    const dockerfile = parseDockerfile(MULTI_STAGE);
    assert.equal(dockerfile.target, 4);
    assert.deepEqual(dockerfile.buildOrder, [0, 2, 1, 4]);
    assert.deepEqual(dockerfile.stages[1].dependencies, [0, 2]);
  });

  it('selects --target by name, ignoring case', () => {
    assert.deepEqual(parseDockerfile(MULTI_STAGE, { target: 'TEST' }).buildOrder, [0, 2, 1, 3]);
    assert.deepEqual(parseDockerfile(MULTI_STAGE, { target: 'deps' }).buildOrder, [0]);
    assertFails(() => parseDockerfile(MULTI_STAGE, { target: 'prod' }), DockerfileErrorCode.UnknownTarget, 'target stage "prod" could not be found; the stages are named deps, build, assets, test');
  });

  it('resolves COPY --from to a stage by name or index, or to an image', () => {
    const dockerfile = parseDockerfile('FROM a AS one\nFROM b\nCOPY --from=0 /x /x\nCOPY --from=ONE /y /y\nCOPY --from=alpine:3 /z /z\n');
    const sources = dockerfile.stages[1].instructions.map((instruction) => instruction.kind === 'COPY' && instruction.source);
    assert.deepEqual(sources, [
      { kind: 'stage', index: 0 },
      { kind: 'stage', index: 0 },
      { kind: 'image', reference: 'alpine:3' },
    ]);
    assert.deepEqual(dockerfile.stages[1].dependencies, [0]);
  });

  it('rejects bad stage references', () => {
    assertFails(() => parseDockerfile('FROM a\nCOPY --from=3 /x /x'), DockerfileErrorCode.InvalidStageReference, 'Dockerfile:2: invalid stage index 3');
    assertFails(() => parseDockerfile('ARG S=a\nFROM a\nCOPY --from=$S /x /x'), DockerfileErrorCode.InvalidStageReference, 'variable expansion is not supported for --from');
    assertFails(() => parseDockerfile('FROM a AS x\nCOPY --from=y / /\nFROM b AS y\nCOPY --from=x / /'), DockerfileErrorCode.CircularDependency, 'circular dependency detected on stage: x');
    assertFails(() => parseDockerfile('FROM a AS x\nCOPY --from=x / /'), DockerfileErrorCode.CircularDependency, 'Dockerfile:1:');
  });

  it('rejects duplicate stage names, whatever their case', () => {
    assertFails(() => parseDockerfile('FROM a AS build\nFROM b AS Build\n'), DockerfileErrorCode.DuplicateStageName, 'Dockerfile:2: duplicate stage name "build" (first defined on line 1)');
  });

  it('needs a FROM before anything but ARG', () => {
    assertFails(() => parseDockerfile('ARG A\nRUN x\nFROM a'), DockerfileErrorCode.NoStage, 'Dockerfile:2: RUN must come after a FROM line');
    assertFails(() => parseDockerfile('ARG A=1\n'), DockerfileErrorCode.NoStage, 'no stages to build');
    assertFails(() => parseDockerfile('# nothing\n\n'), DockerfileErrorCode.Empty, 'no instructions');
  });

  it('treats scratch as an empty base and FROM a later stage name as an image', () => {
    const dockerfile = parseDockerfile('FROM later\nFROM scratch AS later\n');
    assert.deepEqual(dockerfile.stages.map((stage) => stage.base), [{ kind: 'image', reference: 'later' }, { kind: 'scratch' }]);
  });

  it('inherits ONBUILD triggers of a parent stage, with their dependencies', () => {
    const dockerfile = parseDockerfile('FROM a AS assets\nFROM b AS base\nONBUILD COPY --from=assets / /\nFROM base\nRUN x\n');
    const child = dockerfile.stages[2];
    assert.deepEqual(
      child.inheritedTriggers.map((trigger) => trigger.kind === 'COPY' && trigger.source),
      [{ kind: 'stage', index: 0 }],
    );
    assert.deepEqual(child.dependencies, [1, 0]);
    assert.deepEqual(dockerfile.buildOrder, [1, 0, 2]);
  });

  it('uses the file name given for messages', () => {
    assertFails(() => parseDockerfile('FROM a\nFOO', { file: 'web/Dockerfile.prod' }), DockerfileErrorCode.UnknownInstruction, 'web/Dockerfile.prod:2: unknown instruction: FOO');
  });
});

describe('parseDockerfile: global ARGs and build arguments', () => {
  it('expands FROM with global ARGs and --build-arg overrides', () => {
    const text = 'ARG BASE=node\nARG TAG=${BASE}-20\nFROM ${BASE}:${TAG}\n';
    assert.deepEqual(parseDockerfile(text).stages[0].base, { kind: 'image', reference: 'node:node-20' });
    const overridden = parseDockerfile(text, { buildArgs: { BASE: 'deno', TAG: '2' } });
    assert.deepEqual(overridden.stages[0].base, { kind: 'image', reference: 'deno:2' });
    assert.deepEqual(overridden.globalArgs.map((arg) => arg.value), ['deno', '2']);
  });

  it('gives BUILDPLATFORM, TARGETPLATFORM and friends in the global scope', () => {
    const text = 'FROM --platform=$BUILDPLATFORM golang AS build\nFROM alpine:${TARGETARCH}\n';
    const dockerfile = parseDockerfile(text, { buildPlatform: 'linux/amd64', targetPlatform: 'linux/arm64/v8' });
    assert.equal(dockerfile.stages[0].platform, 'linux/amd64');
    assert.deepEqual(dockerfile.stages[1].base, { kind: 'image', reference: 'alpine:arm64' });
    assert.equal(dockerfile.globalScope.get('TARGETPLATFORM'), 'linux/arm64/v8');
    assert.equal(dockerfile.globalScope.get('TARGETVARIANT'), 'v8');
    assert.equal(dockerfile.globalScope.get('TARGETSTAGE'), 'default');
    assert.equal(parseDockerfile(text, { target: 'build' }).globalScope.get('TARGETSTAGE'), 'build');
  });

  it('refuses a FROM that expands to nothing and reports expansion errors with the line', () => {
    assertFails(() => parseDockerfile('ARG IMAGE\nFROM $IMAGE'), DockerfileErrorCode.InvalidArguments, 'Dockerfile:2: base name ($IMAGE) should not be blank');
    assertFails(() => parseDockerfile('FROM ${IMAGE:?required}'), DockerfileErrorCode.Expansion, 'Dockerfile:1: failed to process "${IMAGE:?required}": IMAGE: required');
    assertFails(() => parseDockerfile('ARG P\nFROM --platform=$P a'), DockerfileErrorCode.InvalidArguments, 'empty platform value');
  });

  it('reports build arguments no built stage declares, without failing', () => {
    const text = 'ARG USED\nFROM a AS other\nARG ONLY_IN_OTHER\nFROM b\nARG IN_TARGET\n';
    const buildArgs = { USED: '1', IN_TARGET: '2', ONLY_IN_OTHER: '3', TYPO: '4', HTTP_PROXY: 'http://proxy:3128', SOURCE_DATE_EPOCH: '0' };
    const dockerfile = parseDockerfile(text, { buildArgs });
    assert.deepEqual(dockerfile.unusedBuildArgs, ['ONLY_IN_OTHER', 'TYPO']);
    assert.deepEqual(dockerfile.warnings.map((warning) => warning.kind), ['unused_build_arg']);
    assert.match(dockerfile.warnings[0].message, /ONLY_IN_OTHER, TYPO were not consumed/);
  });

  it('keeps proxy build arguments apart', () => {
    const dockerfile = parseDockerfile('FROM a', { buildArgs: new Map([['https_proxy', 'http://p:1'], ['X', 'y']]) });
    assert.deepEqual([...dockerfile.proxyEnv], [['https_proxy', 'http://p:1']]);
  });

  it('passes on empty continuation line warnings', () => {
    const dockerfile = parseDockerfile('FROM a\nRUN a \\\n\n  b\n');
    assert.deepEqual(dockerfile.warnings.map(({ kind, line }) => [kind, line]), [['empty_continuation_line', 2]]);
  });
});

describe('parseDockerfile: BuildKit testfiles', () => {
  const { noStage } = readTestJson<{ noStage: string[]; instructionErrors: Record<string, unknown> }>('buildkit', 'instructions', 'testfiles-typed.json');
  const failing = new Set(['flags', 'health']);
  for (const name of testDataSubdirectories('buildkit', 'parser', 'testfiles')) {
    if (failing.has(name)) continue;
    it(name, () => {
      const text = readTestData('buildkit', 'parser', 'testfiles', name, 'Dockerfile');
      if (noStage.includes(name)) assertFails(() => parseDockerfile(text), DockerfileErrorCode.NoStage, 'must come after a FROM line');
      else assert.equal(parseDockerfile(text).stages.length, 1);
    });
  }
});
