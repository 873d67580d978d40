import { DEFAULT_DOCKERFILE_NAME, DockerfileErrorCode, errorAt } from '../errors';
import { parseInstruction } from '../instructions/parse-instruction';
import type { ArgInstruction, FromInstruction, Instruction, StageInstruction, TriggerInstruction } from '../instructions/types';
import { parseAst } from '../parser/ast-parser';
import type { EscapeToken } from '../shell/shell-lexer';
import {
  DEFAULT_PLATFORM,
  parsePlatform,
  platformArgs,
  proxyEnvironment,
  resolveGlobalArgs,
  unusedBuildArgs,
} from './build-args';
import { expandAt } from './expand-at';
import { assertNoCycles, buildOrder, findStageByName, stageDependencies, withCopySources } from './stage-graph';
import type { DockerfileWarning, ParseDockerfileOptions, ParsedDockerfile, Stage, StageBase } from './types';

interface StageDraft {
  from: FromInstruction;
  instructions: StageInstruction[];
}

interface Context {
  file: string;
  escapeToken: EscapeToken;
}

/**
 * Parses a Dockerfile into its global ARGs and stages, resolves stage references, the
 * target and the stages it needs. Instructions inside stages are kept unexpanded: their
 * values depend on the base image's environment, which a StageScope supplies at build time.
 */
export function parseDockerfile(text: string, options: ParseDockerfileOptions = {}): ParsedDockerfile {
  const file = options.file ?? DEFAULT_DOCKERFILE_NAME;
  const ast = parseAst(text, file);
  const context: Context = { file, escapeToken: ast.escapeToken };
  const { globalArgInstructions, drafts } = splitIntoStages(ast.instructions.map((node) => parseInstruction(node, file)), file);
  assertUniqueStageNames(drafts, file);
  const target = resolveTarget(drafts, options.target, file);
  const buildArgs = toMap(options.buildArgs);
  const buildPlatform = parsePlatform(options.buildPlatform ?? DEFAULT_PLATFORM);
  const targetPlatform = parsePlatform(options.targetPlatform ?? options.buildPlatform ?? DEFAULT_PLATFORM);
  const globalScope = platformArgs(buildPlatform, targetPlatform, drafts[target].from.stageName ?? '', buildArgs);
  const globalArgs = resolveGlobalArgs(globalArgInstructions, globalScope, buildArgs, context);
  const stages = resolveStages(drafts, globalScope, context);
  const order = buildOrder(stages, target, file);
  const unused = unusedBuildArgs(buildArgs, declaredArgs(globalArgInstructions, order.map((index) => stages[index])));
  return {
    file,
    escapeToken: ast.escapeToken,
    directives: ast.directives,
    globalArgs,
    globalScope,
    stages,
    target,
    buildOrder: order,
    buildArgs,
    proxyEnv: proxyEnvironment(buildArgs),
    unusedBuildArgs: unused,
    warnings: warnings(ast.warnings, unused),
  };
}

function toMap(values: ParseDockerfileOptions['buildArgs']): Map<string, string> {
  if (values === undefined) return new Map();
  return new Map(values instanceof Map ? values : Object.entries(values));
}

/** ARGs before the first FROM are global; everything else belongs to the stage above it. */
function splitIntoStages(instructions: Instruction[], file: string): { globalArgInstructions: ArgInstruction[]; drafts: StageDraft[] } {
  const globalArgInstructions: ArgInstruction[] = [];
  const drafts: StageDraft[] = [];
  for (const instruction of instructions) {
    if (instruction.kind === 'FROM') drafts.push({ from: instruction, instructions: [] });
    else if (drafts.length > 0) drafts[drafts.length - 1].instructions.push(instruction);
    else if (instruction.kind === 'ARG') globalArgInstructions.push(instruction);
    else {
      throw errorAt(
        { file, line: instruction.line },
        DockerfileErrorCode.NoStage,
        `${instruction.kind} must come after a FROM line; only ARG may precede the first FROM`,
      );
    }
  }
  if (drafts.length === 0) {
    throw errorAt({ file, line: 1 }, DockerfileErrorCode.NoStage, 'the Dockerfile contains no stages to build; add a FROM line');
  }
  return { globalArgInstructions, drafts };
}

function assertUniqueStageNames(drafts: readonly StageDraft[], file: string): void {
  const firstLine = new Map<string, number>();
  for (const { from } of drafts) {
    if (from.stageName === undefined) continue;
    const previous = firstLine.get(from.stageName);
    if (previous !== undefined) {
      throw errorAt(
        { file, line: from.line },
        DockerfileErrorCode.DuplicateStageName,
        `duplicate stage name ${JSON.stringify(from.stageName)} (first defined on line ${previous}); rename one of the stages`,
      );
    }
    firstLine.set(from.stageName, from.line);
  }
}

function resolveTarget(drafts: readonly StageDraft[], target: string | undefined, file: string): number {
  if (target === undefined || target === '') return drafts.length - 1;
  const index = findStageByName(drafts.map((draft) => ({ name: draft.from.stageName })), target);
  if (index !== undefined) return index;
  const names = drafts.flatMap((draft) => (draft.from.stageName ? [draft.from.stageName] : []));
  const known = names.length > 0 ? `the stages are named ${names.join(', ')}` : 'no stage has a name (FROM <image> AS <name>)';
  throw errorAt({ file, line: 1 }, DockerfileErrorCode.UnknownTarget, `target stage ${JSON.stringify(target)} could not be found; ${known}`);
}

function resolveStages(drafts: readonly StageDraft[], globalScope: ReadonlyMap<string, string>, context: Context): Stage[] {
  const named = drafts.map((draft) => ({ name: draft.from.stageName }));
  const stages: Stage[] = [];
  drafts.forEach((draft, index) => {
    const base = resolveBase(draft.from, named.slice(0, index), globalScope, context);
    const instructions = withCopySources(draft.instructions, named, context.file);
    const inheritedTriggers = base.kind === 'stage' ? triggersOf(stages[base.index]) : [];
    const stage: Stage = { index, from: draft.from, base, instructions, inheritedTriggers, dependencies: [] };
    if (draft.from.stageName) stage.name = draft.from.stageName;
    const platform = expandFromWord(draft.from.platform, globalScope, draft.from, context, 'platform');
    if (platform !== undefined) stage.platform = platform;
    stage.dependencies = stageDependencies(stage);
    stages.push(stage);
  });
  assertNoCycles(stages, context.file);
  return stages;
}

/** Only the stage's own ONBUILD lines are inherited, not those it inherited itself. */
function triggersOf(stage: Stage): TriggerInstruction[] {
  return stage.instructions.flatMap((instruction) => (instruction.kind === 'ONBUILD' ? [instruction.trigger] : []));
}

function resolveBase(
  from: FromInstruction,
  earlierStages: readonly { name?: string }[],
  globalScope: ReadonlyMap<string, string>,
  context: Context,
): StageBase {
  const reference = expandFromWord(from.image, globalScope, from, context, 'image') ?? '';
  if (reference === '') {
    throw errorAt(
      { file: context.file, line: from.line },
      DockerfileErrorCode.InvalidArguments,
      `base name (${from.image}) should not be blank; give the ARG a default or pass it with --build-arg`,
    );
  }
  const stageIndex = findStageByName(earlierStages, reference);
  if (stageIndex !== undefined) return { kind: 'stage', index: stageIndex };
  if (reference === 'scratch') return { kind: 'scratch' };
  return { kind: 'image', reference };
}

/** FROM sees the global scope only: ARGs inside stages never affect it. */
function expandFromWord(
  word: string | undefined,
  globalScope: ReadonlyMap<string, string>,
  from: FromInstruction,
  context: Context,
  what: 'image' | 'platform',
): string | undefined {
  if (word === undefined) return undefined;
  const location = { file: context.file, line: from.line };
  const remedy = 'declare the variable with an ARG before the first FROM or pass it with --build-arg';
  const { value } = expandAt(word, globalScope, { escapeToken: context.escapeToken }, location, remedy);
  if (what === 'platform' && value === '') {
    throw errorAt(location, DockerfileErrorCode.InvalidArguments, `empty platform value from expression ${word}; ${remedy}`);
  }
  return value;
}

function declaredArgs(globalArgs: readonly ArgInstruction[], stages: readonly Stage[]): Set<string> {
  const declared = new Set(globalArgs.flatMap((instruction) => instruction.args.map((arg) => arg.name)));
  for (const stage of stages) {
    for (const instruction of [...stage.inheritedTriggers, ...stage.instructions]) {
      if (instruction.kind === 'ARG') for (const arg of instruction.args) declared.add(arg.name);
    }
  }
  return declared;
}

function warnings(parseWarnings: readonly { line: number; message: string }[], unused: readonly string[]): DockerfileWarning[] {
  const result: DockerfileWarning[] = parseWarnings.map((warning) => ({ kind: 'empty_continuation_line', ...warning }));
  if (unused.length > 0) {
    result.push({
      kind: 'unused_build_arg',
      message: `build arguments ${unused.join(', ')} were not consumed: no ARG in the built stages declares them`,
    });
  }
  return result;
}
