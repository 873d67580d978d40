import { DockerfileError } from '../errors';
import type { Heredoc } from '../parser/ast';
import { chompHeredocContent, parseHeredocHeader, type HeredocHeader } from '../parser/heredoc';
import { refused, type FlagSpec, type InstructionFlags } from './flags';
import { argumentError, parseFlags, type InstructionRequest } from './request';
import type { AddInstruction, CopyInstruction, InlineFile } from './types';

const EXCLUDE_REFUSAL = "is not supported by Berth's builder; remove the flag (list the paths in .dockerignore instead)";

const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'chown', type: 'string' },
  { name: 'chmod', type: 'string' },
  { name: 'link', type: 'bool' },
  refused('exclude', 'strings', EXCLUDE_REFUSAL),
];

const COPY_FLAGS: readonly FlagSpec[] = [{ name: 'from', type: 'string' }, ...COMMON_FLAGS, refused('parents', 'bool')];

const ADD_FLAGS: readonly FlagSpec[] = [
  ...COMMON_FLAGS,
  { name: 'checksum', type: 'string' },
  refused('keep-git-dir', 'bool'),
  refused('unpack', 'bool'),
];

export function parseCopy(request: InstructionRequest): CopyInstruction {
  const flags = parseFlags(request, COPY_FLAGS);
  const transfer = sourcesAndDestination(request);
  const from = flags.string('from');
  if (from === '') throw argumentError('COPY --from needs a stage name, a stage index or an image, e.g. --from=build');
  return { kind: 'COPY', ...request.base, ...transfer, ...ownership(flags), ...(from === undefined ? {} : { from }) };
}

export function parseAdd(request: InstructionRequest): AddInstruction {
  const flags = parseFlags(request, ADD_FLAGS);
  const transfer = sourcesAndDestination(request);
  const checksum = flags.string('checksum');
  return { kind: 'ADD', ...request.base, ...transfer, ...ownership(flags), ...(checksum ? { checksum } : {}) };
}

function ownership(flags: InstructionFlags): { chown?: string; chmod?: string; link: boolean } {
  const chown = flags.string('chown');
  const chmod = flags.string('chmod');
  return { ...(chown ? { chown } : {}), ...(chmod ? { chmod } : {}), link: flags.bool('link') };
}

function sourcesAndDestination(request: InstructionRequest): Pick<CopyInstruction, 'sources' | 'inlineFiles' | 'destination'> {
  if (request.args.length < 2) {
    throw argumentError(
      `${request.keyword} requires at least two arguments, but only one was provided. Destination could not be determined; ` +
        `write ${request.keyword} <source>... <destination>`,
    );
  }
  const destination = request.args[request.args.length - 1];
  if (!request.json && heredocHeader(destination)) {
    throw argumentError(`${request.keyword} cannot accept a heredoc as a destination; put the destination path last`);
  }
  const sources: string[] = [];
  const inlineFiles: InlineFile[] = [];
  for (const source of request.args.slice(0, -1)) {
    const header = request.json ? undefined : heredocHeader(source);
    if (header) inlineFiles.push(inlineFile(header, request.heredocs));
    else sources.push(source);
  }
  return { sources, inlineFiles, destination };
}

/** An argument that looks like `<<EOF`; a malformed one is then just a path, as in BuildKit. */
function heredocHeader(word: string): HeredocHeader | undefined {
  try {
    return parseHeredocHeader(word);
  } catch (error) {
    if (error instanceof DockerfileError) return undefined;
    throw error;
  }
}

function inlineFile(header: HeredocHeader, heredocs: readonly Heredoc[]): InlineFile {
  const body = heredocs.find((heredoc) => heredoc.name === header.name)?.content ?? '';
  return { name: header.name, content: header.chomp ? chompHeredocContent(body) : body, expand: header.expand };
}
