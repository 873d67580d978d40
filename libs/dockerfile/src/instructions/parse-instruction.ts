import { DEFAULT_DOCKERFILE_NAME, DockerfileError, DockerfileErrorCode, locateError } from '../errors';
import type { AstNode } from '../parser/ast';
import { parseAst } from '../parser/ast-parser';
import { parseCmd, parseEntrypoint, parseHealthcheck, parseRun, parseShell } from './parse-commands';
import { parseAdd, parseCopy } from './parse-file-transfer';
import {
  parseArg,
  parseEnv,
  parseExpose,
  parseFrom,
  parseLabel,
  parseMaintainer,
  parseStopSignal,
  parseUser,
  parseVolume,
  parseWorkdir,
} from './parse-settings';
import { parseFlags, requestFromNode, type InstructionRequest } from './request';
import type { Instruction, OnbuildInstruction, TriggerInstruction } from './types';

type InstructionParser = (request: InstructionRequest, node: AstNode) => Instruction;

const PARSERS: Readonly<Record<string, InstructionParser>> = {
  ADD: parseAdd,
  ARG: parseArg,
  CMD: parseCmd,
  COPY: parseCopy,
  ENTRYPOINT: parseEntrypoint,
  ENV: parseEnv,
  EXPOSE: parseExpose,
  FROM: parseFrom,
  HEALTHCHECK: parseHealthcheck,
  LABEL: parseLabel,
  MAINTAINER: parseMaintainer,
  ONBUILD: parseOnbuild,
  RUN: parseRun,
  SHELL: parseShell,
  STOPSIGNAL: parseStopSignal,
  USER: parseUser,
  VOLUME: parseVolume,
  WORKDIR: parseWorkdir,
};

export const INSTRUCTION_KEYWORDS: readonly string[] = Object.keys(PARSERS);

/** Turns one syntax-tree node into a typed instruction; errors carry the node's line. */
export function parseInstruction(node: AstNode, file: string = DEFAULT_DOCKERFILE_NAME): Instruction {
  try {
    return parseRequest(requestFromNode(node), node);
  } catch (error) {
    throw locateError(error, { file, line: node.startLine });
  }
}

function parseRequest(request: InstructionRequest, node: AstNode): Instruction {
  const parse = PARSERS[request.keyword];
  if (!parse) throw unknownInstruction(node.value);
  return parse(request, node);
}

function unknownInstruction(keyword: string): DockerfileError {
  const suggestion = closestKeyword(keyword.toUpperCase());
  const hint = suggestion ? ` (did you mean ${suggestion}?)` : `; valid instructions are ${INSTRUCTION_KEYWORDS.join(', ')}`;
  return new DockerfileError(DockerfileErrorCode.UnknownInstruction, `unknown instruction: ${keyword}${hint}`);
}

function closestKeyword(word: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const keyword of INSTRUCTION_KEYWORDS) {
    const distance = editDistance(word, keyword);
    if (distance < bestDistance) [best, bestDistance] = [keyword, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

const FORBIDDEN_TRIGGERS: Readonly<Record<string, string>> = {
  ONBUILD: 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed; register the inner instruction directly',
  FROM: "FROM isn't allowed as an ONBUILD trigger; triggers run inside the stage that uses this image",
  MAINTAINER: "MAINTAINER isn't allowed as an ONBUILD trigger; use LABEL maintainer=... instead",
};

const ONBUILD_PREFIX = /^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*/i;

function parseOnbuild(request: InstructionRequest, node: AstNode): OnbuildInstruction {
  const triggerNode = node.next?.children[0];
  if (!triggerNode) throw new DockerfileError(DockerfileErrorCode.InvalidArguments, 'ONBUILD requires at least one argument, e.g. ONBUILD RUN make');
  parseFlags(request);
  const forbidden = FORBIDDEN_TRIGGERS[triggerNode.value.toUpperCase()];
  if (forbidden) throw new DockerfileError(DockerfileErrorCode.InvalidOnbuild, forbidden);
  // The trigger is stored as text in the image; here-document bodies travel with it.
  let expression = request.base.original.replace(ONBUILD_PREFIX, '');
  for (const heredoc of request.heredocs) expression += `\n${heredoc.content}${heredoc.name}`;
  const base = { ...request.base, original: triggerNode.original };
  const triggerRequest = { ...requestFromNode(triggerNode), heredocs: request.heredocs, base };
  const trigger = parseRequest(triggerRequest, triggerNode) as TriggerInstruction;
  return { kind: 'ONBUILD', ...request.base, expression, trigger };
}

/**
 * Parses an ONBUILD trigger stored in a base image's config (`config.OnBuild`), to run at
 * the start of a stage built on that image. Its line numbers are those of the trigger text.
 */
export function parseOnbuildTrigger(expression: string, file: string = 'ONBUILD trigger'): TriggerInstruction {
  const { instructions } = parseAst(expression, file);
  if (instructions.length !== 1) {
    throw new DockerfileError(DockerfileErrorCode.InvalidOnbuild, `${file}: onbuild trigger should be a single expression; register one instruction per ONBUILD`);
  }
  const instruction = parseInstruction(instructions[0], file);
  const forbidden = FORBIDDEN_TRIGGERS[instruction.kind];
  if (forbidden) throw new DockerfileError(DockerfileErrorCode.InvalidOnbuild, `${file}: ${forbidden}`);
  return instruction as TriggerInstruction;
}
