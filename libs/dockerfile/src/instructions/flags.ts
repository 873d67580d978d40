import { DockerfileError, DockerfileErrorCode } from '../errors';

export type FlagType = 'bool' | 'string' | 'strings';

export interface FlagSpec {
  name: string;
  type: FlagType;
  /** Set for flags BuildKit knows and Berth's builder refuses; says why, or what to do instead. */
  refusal?: string;
}

/**
 * Instruction flags with BuildKit's rules (instructions/bflag.go): `--name=value`, `--name`
 * for booleans (`--name=false` too), repeatable `strings` flags, `--` ends the flags. Berth
 * adds one rule: a flag it does not implement is an error, never silently ignored.
 */
export class InstructionFlags {
  private readonly values = new Map<string, string[]>();

  constructor(
    private readonly keyword: string,
    written: readonly string[],
    private readonly specs: readonly FlagSpec[],
  ) {
    for (const flag of written) {
      if (flag === '--') break;
      this.read(flag);
    }
  }

  bool(name: string): boolean {
    return this.values.get(name)?.[0] === 'true';
  }

  string(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  strings(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  private read(flag: string): void {
    if (!flag.startsWith('--')) throw this.error(DockerfileErrorCode.UnknownFlag, `flag ${flag} must start with --`);
    const equals = flag.indexOf('=');
    const name = flag.slice(2, equals < 0 ? undefined : equals);
    const value = equals < 0 ? undefined : flag.slice(equals + 1);
    const spec = this.specs.find((candidate) => candidate.name === name);
    if (!spec) throw this.unknownFlag(name);
    if (spec.refusal !== undefined) {
      throw this.error(DockerfileErrorCode.UnsupportedFlag, `${this.keyword} --${name} ${spec.refusal}`);
    }
    if (this.values.has(name) && spec.type !== 'strings') {
      throw this.error(DockerfileErrorCode.InvalidFlagValue, `${this.keyword} --${name} is given twice; keep one`);
    }
    this.values.set(name, [...this.strings(name), this.checkedValue(spec, value)]);
  }

  private checkedValue(spec: FlagSpec, value: string | undefined): string {
    const flag = `${this.keyword} --${spec.name}`;
    if (spec.type !== 'bool') {
      if (value === undefined) throw this.error(DockerfileErrorCode.InvalidFlagValue, `${flag} needs a value: write --${spec.name}=<value>`);
      return value;
    }
    if (value === '') throw this.error(DockerfileErrorCode.InvalidFlagValue, `${flag}= needs a value: write --${spec.name} or --${spec.name}=false`);
    const normalized = (value ?? 'true').toLowerCase();
    if (normalized !== 'true' && normalized !== 'false') {
      throw this.error(DockerfileErrorCode.InvalidFlagValue, `${flag} expects true or false, not ${JSON.stringify(value)}`);
    }
    return normalized;
  }

  private unknownFlag(name: string): DockerfileError {
    const accepted = this.specs.filter((spec) => spec.refusal === undefined).map((spec) => `--${spec.name}`);
    const hint = accepted.length === 0 ? `${this.keyword} takes no flags` : `${this.keyword} accepts ${accepted.join(', ')}`;
    return this.error(DockerfileErrorCode.UnknownFlag, `unknown flag --${name} for ${this.keyword}; ${hint}`);
  }

  private error(code: DockerfileErrorCode, message: string): DockerfileError {
    return new DockerfileError(code, message);
  }
}

const NOT_SUPPORTED = "is not supported by Berth's builder; remove the flag";

export function refused(name: string, type: FlagType, refusal: string = NOT_SUPPORTED): FlagSpec {
  return { name, type, refusal };
}
