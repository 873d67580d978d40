import type { Heredoc } from '../parser/ast';

interface InstructionBase {
  /** 1-based line where the instruction starts. */
  line: number;
  /** 1-based last line (continuations and here-document bodies included). */
  endLine: number;
  /** The logical line as BuildKit records it: continuations joined, comments dropped. */
  original: string;
}

/** Exec form (`["a", "b"]`, run without a shell) or shell form (handed to SHELL). */
export type CommandLine = { form: 'exec'; args: string[] } | { form: 'shell'; command: string };

export interface KeyValue {
  key: string;
  value: string;
}

export interface FromInstruction extends InstructionBase {
  kind: 'FROM';
  /** The image reference or stage name as written; expanded with the global ARGs only. */
  image: string;
  /** `AS name`, lower-cased. */
  stageName?: string;
  /** `--platform=...` as written. */
  platform?: string;
}

export interface RunInstruction extends InstructionBase {
  kind: 'RUN';
  command: CommandLine;
  /** Here-documents the shell command refers to; see runScript for how they are run. */
  heredocs: Heredoc[];
}

export interface CmdInstruction extends InstructionBase {
  kind: 'CMD';
  command: CommandLine;
}

export interface EntrypointInstruction extends InstructionBase {
  kind: 'ENTRYPOINT';
  command: CommandLine;
}

export interface ShellInstruction extends InstructionBase {
  kind: 'SHELL';
  shell: string[];
}

export interface EnvInstruction extends InstructionBase {
  kind: 'ENV';
  variables: KeyValue[];
}

export interface LabelInstruction extends InstructionBase {
  kind: 'LABEL';
  labels: KeyValue[];
}

export interface ArgDeclaration {
  name: string;
  /** The default as written (quotes included); undefined for a bare `ARG name`. */
  defaultValue?: string;
}

export interface ArgInstruction extends InstructionBase {
  kind: 'ARG';
  args: ArgDeclaration[];
}

export interface ExposeInstruction extends InstructionBase {
  kind: 'EXPOSE';
  ports: string[];
}

export interface VolumeInstruction extends InstructionBase {
  kind: 'VOLUME';
  volumes: string[];
}

export interface UserInstruction extends InstructionBase {
  kind: 'USER';
  user: string;
}

export interface WorkdirInstruction extends InstructionBase {
  kind: 'WORKDIR';
  path: string;
}

export interface StopSignalInstruction extends InstructionBase {
  kind: 'STOPSIGNAL';
  signal: string;
}

export interface MaintainerInstruction extends InstructionBase {
  kind: 'MAINTAINER';
  maintainer: string;
}

/** A file written inline with a here-document: `COPY <<EOF /dest`. */
export interface InlineFile {
  /** The here-document terminator, used as the file name. */
  name: string;
  /** The body, tabs already stripped for `<<-`. */
  content: string;
  /** Whether `$VAR` in the content is expanded (false when the terminator was quoted). */
  expand: boolean;
}

interface FileTransfer {
  /** Paths (or URLs for ADD) in the build context or the `--from` source. */
  sources: string[];
  inlineFiles: InlineFile[];
  destination: string;
  chown?: string;
  chmod?: string;
  /**
   * `--link`: BuildKit copies into an independent layer. The resulting file system is the
   * same as a plain copy, so a builder may treat it as one.
   */
  link: boolean;
}

/** What `COPY --from` designates once stages are known. */
export type CopyFrom = { kind: 'stage'; index: number } | { kind: 'image'; reference: string };

export interface CopyInstruction extends InstructionBase, FileTransfer {
  kind: 'COPY';
  /** `--from=...` as written (a stage name, a stage index or an image reference). */
  from?: string;
  /** Set by parseDockerfile: the stage or image `from` refers to. */
  source?: CopyFrom;
}

export interface AddInstruction extends InstructionBase, FileTransfer {
  kind: 'ADD';
  /** `--checksum=sha256:...`: the builder must verify remote sources against it. */
  checksum?: string;
}

/** Durations are in nanoseconds, as Docker stores them; 0 means "use the default". */
export interface HealthcheckConfig {
  /** `["NONE"]`, `["CMD", ...args]` (exec form) or `["CMD-SHELL", command]`. */
  test: string[];
  intervalNs: number;
  timeoutNs: number;
  startPeriodNs: number;
  startIntervalNs: number;
  retries: number;
}

export interface HealthcheckInstruction extends InstructionBase {
  kind: 'HEALTHCHECK';
  healthcheck: HealthcheckConfig;
}

export interface OnbuildInstruction extends InstructionBase {
  kind: 'ONBUILD';
  /** The trigger text stored in the image config (here-document bodies appended). */
  expression: string;
  /** The trigger, parsed now so that its errors surface now. */
  trigger: TriggerInstruction;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | ExposeInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | StopSignalInstruction
  | MaintainerInstruction
  | CopyInstruction
  | AddInstruction
  | HealthcheckInstruction
  | OnbuildInstruction;

export type InstructionKind = Instruction['kind'];

/** What ONBUILD may register: anything but FROM, MAINTAINER and ONBUILD itself. */
export type TriggerInstruction = Exclude<Instruction, FromInstruction | MaintainerInstruction | OnbuildInstruction>;

/** Everything that may follow FROM inside a stage. */
export type StageInstruction = Exclude<Instruction, FromInstruction>;
