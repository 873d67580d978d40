import { DockerfileError, DockerfileErrorCode } from '../errors';
import { nodeArguments, type AstNode, type Heredoc } from '../parser/ast';
import { InstructionFlags, type FlagSpec } from './flags';

/** One syntax-tree node, flattened into what the instruction parsers need. */
export interface InstructionRequest {
  /** Upper-cased keyword, e.g. `COPY`. */
  keyword: string;
  args: string[];
  writtenFlags: string[];
  json: boolean;
  heredocs: Heredoc[];
  base: { line: number; endLine: number; original: string };
}

export function requestFromNode(node: AstNode): InstructionRequest {
  return {
    keyword: node.value.toUpperCase(),
    args: nodeArguments(node),
    writtenFlags: node.flags,
    json: node.json,
    heredocs: node.heredocs,
    base: { line: node.startLine, endLine: node.endLine, original: node.original },
  };
}

export function parseFlags(request: InstructionRequest, specs: readonly FlagSpec[] = []): InstructionFlags {
  return new InstructionFlags(request.keyword, request.writtenFlags, specs);
}

export function argumentError(message: string): DockerfileError {
  return new DockerfileError(DockerfileErrorCode.InvalidArguments, message);
}

export function requireExactlyOneArgument(request: InstructionRequest, example: string): string {
  if (request.args.length !== 1) {
    throw argumentError(`${request.keyword} requires exactly one argument, e.g. ${request.keyword} ${example}`);
  }
  return request.args[0];
}

export function requireArguments(request: InstructionRequest, example: string): void {
  if (request.args.length === 0) {
    throw argumentError(`${request.keyword} requires at least one argument, e.g. ${request.keyword} ${example}`);
  }
}
