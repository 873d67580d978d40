import { DockerfileErrorCode, errorAt } from '../errors';
import type { CopyFrom, CopyInstruction, StageInstruction, TriggerInstruction } from '../instructions/types';
import { processWord } from '../shell/shell-lexer';
import type { Stage } from './types';

/** Finds a stage by its `AS` name, ignoring case. */
export function findStageByName(stages: readonly Pick<Stage, 'name'>[], name: string): number | undefined {
  const wanted = name.toLowerCase();
  const index = stages.findIndex((stage) => stage.name === wanted);
  return index < 0 ? undefined : index;
}

/**
 * What `COPY --from=x` designates: a stage by index (`--from=0`), a stage by name (defined
 * anywhere in the file), or else an image. Variables are not expanded in --from.
 */
export function resolveCopyFrom(copy: CopyInstruction, stages: readonly Pick<Stage, 'name'>[], file: string): CopyFrom | undefined {
  const from = copy.from;
  if (from === undefined) return undefined;
  const location = { file, line: copy.line };
  if (processWord(from, new Map()) !== from) {
    throw errorAt(
      location,
      DockerfileErrorCode.InvalidStageReference,
      'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
    );
  }
  if (/^[+-]?\d+$/.test(from)) {
    const index = Number(from);
    if (index < 0 || index >= stages.length) {
      throw errorAt(location, DockerfileErrorCode.InvalidStageReference, `invalid stage index ${from}; stages are numbered 0 to ${stages.length - 1}`);
    }
    return { kind: 'stage', index };
  }
  const index = findStageByName(stages, from);
  return index === undefined ? { kind: 'image', reference: from } : { kind: 'stage', index };
}

/** Copies the instructions, giving each COPY --from its resolved source. */
export function withCopySources<T extends StageInstruction>(instructions: readonly T[], stages: readonly Pick<Stage, 'name'>[], file: string): T[] {
  return instructions.map((instruction) => resolveInstruction(instruction, stages, file));
}

function resolveInstruction<T extends StageInstruction>(instruction: T, stages: readonly Pick<Stage, 'name'>[], file: string): T {
  if (instruction.kind === 'COPY') {
    const source = resolveCopyFrom(instruction, stages, file);
    return source ? { ...instruction, source } : instruction;
  }
  if (instruction.kind === 'ONBUILD') {
    return { ...instruction, trigger: resolveInstruction(instruction.trigger, stages, file) as TriggerInstruction };
  }
  return instruction;
}

/** Stage indices an instruction list copies from (ONBUILD triggers excluded: they run later). */
function copiedStages(instructions: readonly StageInstruction[]): number[] {
  return instructions.flatMap((instruction) =>
    instruction.kind === 'COPY' && instruction.source?.kind === 'stage' ? [instruction.source.index] : [],
  );
}

export function stageDependencies(stage: Pick<Stage, 'base' | 'instructions' | 'inheritedTriggers'>): number[] {
  const dependencies = stage.base.kind === 'stage' ? [stage.base.index] : [];
  dependencies.push(...copiedStages(stage.inheritedTriggers), ...copiedStages(stage.instructions));
  return [...new Set(dependencies)];
}

/**
 * The stages `target` needs, each after its dependencies (depth-first, in the order the
 * dependencies appear).
 */
export function buildOrder(stages: readonly Stage[], target: number, file: string): number[] {
  return dependencyOrder(stages, [target], file);
}

/** Fails on a cycle anywhere in the file (two stages copying from each other), as BuildKit does. */
export function assertNoCycles(stages: readonly Stage[], file: string): void {
  dependencyOrder(stages, stages.map((stage) => stage.index), file);
}

function dependencyOrder(stages: readonly Stage[], roots: readonly number[], file: string): number[] {
  const order: number[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (index: number): void => {
    if (state.get(index) === 'done') return;
    if (state.get(index) === 'visiting') throw cycleError(stages[index], file);
    state.set(index, 'visiting');
    for (const dependency of stages[index].dependencies) visit(dependency);
    state.set(index, 'done');
    order.push(index);
  };
  roots.forEach(visit);
  return order;
}

function cycleError(stage: Stage, file: string): Error {
  return errorAt(
    { file, line: stage.from.line },
    DockerfileErrorCode.CircularDependency,
    `circular dependency detected on stage: ${stage.name ?? stage.index}; a stage cannot copy from a stage that depends on it`,
  );
}
