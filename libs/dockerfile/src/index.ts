export { DockerfileError, DockerfileErrorCode, DEFAULT_DOCKERFILE_NAME } from './errors';
export type { DockerfileErrorDetails } from './errors';

export { parseDockerfile } from './stages/parse-dockerfile';
export type { DockerfileWarning, ParseDockerfileOptions, ParsedDockerfile, Stage, StageBase } from './stages/types';
export { StageScope, DEFAULT_PATH } from './stages/stage-scope';
export { expandInstruction } from './stages/expand-instruction';
export type { AppliedInstruction } from './stages/expand-instruction';
export { PLATFORM_ARG_NAMES, PROXY_ARG_NAMES } from './stages/build-args';
export type { GlobalArg } from './stages/build-args';

export { parseInstruction, parseOnbuildTrigger, INSTRUCTION_KEYWORDS } from './instructions/parse-instruction';
export { runScript } from './instructions/run-script';
export type { RunScript } from './instructions/run-script';
export type {
  AddInstruction,
  ArgDeclaration,
  ArgInstruction,
  CmdInstruction,
  CommandLine,
  CopyFrom,
  CopyInstruction,
  EntrypointInstruction,
  EnvInstruction,
  ExposeInstruction,
  FromInstruction,
  HealthcheckConfig,
  HealthcheckInstruction,
  InlineFile,
  Instruction,
  InstructionKind,
  KeyValue,
  LabelInstruction,
  MaintainerInstruction,
  OnbuildInstruction,
  RunInstruction,
  ShellInstruction,
  StageInstruction,
  StopSignalInstruction,
  TriggerInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from './instructions/types';

export { parseAst } from './parser/ast-parser';
export { dumpAst } from './parser/ast-dump';
export { chompHeredocContent, heredocBody } from './parser/heredoc';
export type { AstNode, AstParseResult, Heredoc, ParserDirectives, ParseWarning } from './parser/ast';

export { expandWord, processWord, processWords, variablesInWord } from './shell/shell-lexer';
export type { Environment, EscapeToken, ShellLexerOptions, WordExpansion } from './shell/shell-lexer';

export { DockerignoreMatcher, loadDockerignore, parseDockerignore } from './dockerignore';
export type { ContextFileReader, DockerignoreFile } from './dockerignore';
