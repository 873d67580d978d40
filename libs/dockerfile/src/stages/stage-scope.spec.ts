import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileError, DockerfileErrorCode } from '../errors';
import type { StageInstruction } from '../instructions/types';
import { parseDockerfile } from './parse-dockerfile';
import { expandInstruction } from './expand-instruction';
import { DEFAULT_PATH, StageScope } from './stage-scope';
import type { ParseDockerfileOptions, ParsedDockerfile } from './types';

/** Runs a stage's instructions through a fresh scope, as a builder would. */
function applyStage(dockerfile: ParsedDockerfile, stageIndex: number, scope: StageScope): StageInstruction[] {
  return dockerfile.stages[stageIndex].instructions.map((instruction) => scope.apply(instruction).instruction);
}

function singleStage(text: string, options: ParseDockerfileOptions = {}, imageEnv: string[] = []) {
  const dockerfile = parseDockerfile(text, options);
  const scope = StageScope.forImage(dockerfile, imageEnv);
  const instructions = applyStage(dockerfile, 0, scope);
  return { dockerfile, scope, instructions };
}

function envOf(instruction: StageInstruction | undefined): Array<[string, string]> {
  assert.equal(instruction?.kind, 'ENV');
  return instruction?.kind === 'ENV' ? instruction.variables.map(({ key, value }) => [key, value]) : [];
}

describe('StageScope: ARG scoping', () => {
  it('hides global ARGs inside a stage until they are re-declared', () => {
    const text = 'ARG VERSION=1.0\nFROM a\nENV BEFORE=${VERSION:-unset}\nARG VERSION\nENV AFTER=$VERSION\n';
    const { instructions } = singleStage(text);
    assert.deepEqual(envOf(instructions[0]), [['BEFORE', 'unset']]);
    assert.deepEqual(envOf(instructions[2]), [['AFTER', '1.0']]);
  });

  it('lets --build-arg override both the global and the stage default', () => {
    const text = 'ARG VERSION=1.0\nFROM a\nARG VERSION=2.0\nENV V=$VERSION\n';
    assert.deepEqual(envOf(singleStage(text).instructions[1]), [['V', '2.0']]);
    assert.deepEqual(envOf(singleStage(text, { buildArgs: { VERSION: '3.0' } }).instructions[1]), [['V', '3.0']]);
  });

  it('expands ARG defaults with the stage variables, and stores ARG values outside the image', () => {
    const text = 'FROM a\nENV ROOT=/opt\nARG DIR=$ROOT/app\nARG EMPTY\nENV D=$DIR\n';
    const { scope, instructions } = singleStage(text);
    assert.deepEqual(envOf(instructions[3]), [['D', '/opt/app']]);
    assert.equal(scope.env.get('DIR'), '/opt/app');
    assert.equal(scope.imageEnv.has('DIR'), false);
    assert.deepEqual([...scope.declaredArgs], [['DIR', '/opt/app'], ['EMPTY', undefined]]);
  });

  it('offers the platform arguments to stages that declare them', () => {
    const text = 'FROM a\nARG TARGETARCH\nARG BUILDOS\nENV ARCH=$TARGETARCH OS=$BUILDOS\n';
    const { instructions } = singleStage(text, { buildPlatform: 'linux/amd64', targetPlatform: 'linux/arm64' });
    assert.deepEqual(envOf(instructions[2]), [['ARCH', 'arm64'], ['OS', 'linux']]);
  });

  it('gives RUN the proxy build arguments without making them expandable', () => {
    const text = 'FROM a\nENV P=${HTTP_PROXY:-none}\n';
    const { scope, instructions } = singleStage(text, { buildArgs: { HTTP_PROXY: 'http://proxy:3128' } });
    assert.deepEqual(envOf(instructions[0]), [['P', 'none']]);
    assert.equal(scope.runEnv.get('HTTP_PROXY'), 'http://proxy:3128');
    assert.equal(scope.env.has('HTTP_PROXY'), false);
  });
});

describe('StageScope: environment', () => {
  it('starts from the base image environment, adding PATH when missing', () => {
    const text = 'FROM a\nENV PATH=/app/bin:$PATH HOME_DIR=$HOME\n';
    const { scope, instructions } = singleStage(text, {}, ['HOME=/root', 'PATH=/usr/bin']);
    assert.deepEqual(envOf(instructions[0]), [['PATH', '/app/bin:/usr/bin'], ['HOME_DIR', '/root']]);
    assert.equal(StageScope.forImage(parseDockerfile('FROM scratch')).env.get('PATH'), DEFAULT_PATH);
    assert.equal(scope.imageEnv.get('PATH'), '/app/bin:/usr/bin');
  });

  it('expands all pairs of one ENV with the values from before it, as Docker does', () => {
    const { instructions, scope } = singleStage('FROM a\nENV A=old\nENV A=new B=$A\n');
    assert.deepEqual(envOf(instructions[1]), [['A', 'new'], ['B', 'old']]);
    assert.equal(scope.env.get('B'), 'old');
  });

  it('continues a child stage from where its parent stage ended', () => {
    const dockerfile = parseDockerfile('FROM a AS parent\nARG TOOL=make\nENV HOME=/home/app\nFROM parent\nENV CMD_LINE="$TOOL in $HOME"\n');
    const parent = StageScope.forImage(dockerfile);
    applyStage(dockerfile, 0, parent);
    const child = StageScope.forChildOf(parent);
    const [env] = applyStage(dockerfile, 1, child);
    assert.deepEqual(envOf(env), [['CMD_LINE', 'make in /home/app']]);
    assert.equal(child.imageEnv.has('TOOL'), false);
    assert.equal(parent.env.has('CMD_LINE'), false);
  });
});

describe('StageScope: which instructions are expanded (BuildKit rules)', () => {
  const text = [
    'FROM a',
    'ENV APP=/srv/app USER_ID=1000 PORTS="80/tcp 443/tcp" NAME=web',
    'WORKDIR $APP',
    'USER ${USER_ID}:${USER_ID}',
    'COPY --chown=$USER_ID --chmod=${MODE:-0644} --from=alpine:3 ${NAME}.conf $APP/',
    'ADD --checksum=$SUM https://example.com/$NAME.tgz /tmp/',
    'EXPOSE $PORTS 8080',
    'VOLUME ["$APP/data"]',
    'LABEL "$NAME.version"=1',
    'STOPSIGNAL ${SIGNAL:-SIGTERM}',
    'RUN echo $APP',
    'CMD ["$APP/start"]',
    'ENTRYPOINT $APP/run',
    'HEALTHCHECK CMD curl $APP',
    'ONBUILD RUN echo $APP',
  ].join('\n');

  it('expands ENV, WORKDIR, USER, COPY, ADD, EXPOSE, VOLUME, LABEL, STOPSIGNAL only', () => {
    const { instructions } = singleStage(text, { buildArgs: {} }, ['SUM=sha256:00']);
    const byKind = new Map(instructions.map((instruction) => [instruction.kind, instruction]));
    const pick = <K extends StageInstruction['kind']>(kind: K) => byKind.get(kind) as Extract<StageInstruction, { kind: K }>;
    assert.equal(pick('WORKDIR').path, '/srv/app');
    assert.equal(pick('USER').user, '1000:1000');
    assert.deepEqual([pick('COPY').chown, pick('COPY').chmod, pick('COPY').sources, pick('COPY').destination, pick('COPY').from], ['1000', '0644', ['web.conf'], '/srv/app/', 'alpine:3']);
    assert.deepEqual([pick('ADD').checksum, pick('ADD').sources], ['sha256:00', ['https://example.com/web.tgz']]);
    assert.deepEqual(pick('EXPOSE').ports, ['80/tcp', '443/tcp', '8080']);
    assert.deepEqual(pick('VOLUME').volumes, ['/srv/app/data']);
    assert.deepEqual(pick('LABEL').labels, [{ key: 'web.version', value: '1' }]);
    assert.equal(pick('STOPSIGNAL').signal, 'SIGTERM');
    assert.deepEqual(pick('RUN').command, { form: 'shell', command: 'echo $APP' });
    assert.deepEqual(pick('CMD').command, { form: 'exec', args: ['$APP/start'] });
    assert.deepEqual(pick('ENTRYPOINT').command, { form: 'shell', command: '$APP/run' });
    assert.deepEqual(pick('HEALTHCHECK').healthcheck.test, ['CMD-SHELL', 'curl $APP']);
    assert.equal(pick('ONBUILD').expression, 'RUN echo $APP');
  });

  it('reports the variables each instruction read', () => {
    const dockerfile = parseDockerfile(text);
    const scope = StageScope.forImage(dockerfile);
    const used = dockerfile.stages[0].instructions.map((instruction) => [instruction.kind, [...scope.apply(instruction).used].sort()]);
    assert.deepEqual(used.slice(0, 5), [
      ['ENV', []],
      ['WORKDIR', ['APP']],
      ['USER', ['USER_ID']],
      ['COPY', ['APP', 'NAME', 'USER_ID']],
      ['ADD', ['NAME']],
    ]);
  });

  it('expands heredoc files unless their terminator was quoted, keeping quotes as text', () => {
    const dockerfile = parseDockerfile(`FROM a\nENV WHO=world\nCOPY <<EOF <<'RAW' /\nhello "$WHO"\nEOF\nhello "$WHO"\nRAW\n`);
    const scope = StageScope.forImage(dockerfile);
    const [, copy] = applyStage(dockerfile, 0, scope);
    assert.deepEqual(copy.kind === 'COPY' && copy.inlineFiles.map((file) => file.content), ['hello "world"\n', 'hello "$WHO"\n']);
  });

  it('uses the escape directive for expansion', () => {
    const { instructions } = singleStage('# escape=`\nFROM a\nENV DIR=C:\\app NAME=`$HOME\n');
    assert.deepEqual(envOf(instructions[0]), [['DIR', 'C:\\app'], ['NAME', '$HOME']]);
  });

  it('fails on ${VAR:?message} with the line and a remedy', () => {
    const dockerfile = parseDockerfile('FROM a\n\nWORKDIR ${APP_DIR:?must be set}\n');
    assert.throws(
      () => applyStage(dockerfile, 0, StageScope.forImage(dockerfile)),
      (error: unknown) =>
        error instanceof DockerfileError &&
        error.code === DockerfileErrorCode.Expansion &&
        error.line === 3 &&
        /^Dockerfile:3: failed to process "\$\{APP_DIR:\?must be set\}": APP_DIR: must be set; define the variable/.test(error.message),
    );
  });

  it('expands a single word for the builder', () => {
    const dockerfile = parseDockerfile('FROM a');
    const expansion = StageScope.forImage(dockerfile, ['HOME=/root']).expandWord('$HOME/${MISSING:-x}', 1);
    assert.deepEqual([expansion.value, [...expansion.used], [...expansion.unset]], ['/root/x', ['HOME'], ['MISSING']]);
  });
});

describe('expandInstruction', () => {
  it('expands against an environment the caller keeps', () => {
    const [workdir] = parseDockerfile('FROM a\nWORKDIR ${ROOT}/app\n').stages[0].instructions;
    const applied = expandInstruction(workdir, new Map([['ROOT', '/srv']]));
    assert.deepEqual([applied.instruction.kind === 'WORKDIR' && applied.instruction.path, [...applied.used]], ['/srv/app', ['ROOT']]);
  });
});
