import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddInstruction, CopyInstruction, RunInstruction, WorkdirInstruction } from '@berth/dockerfile';
import { runScript } from '@berth/dockerfile';
import { BuildContext } from '../context/build-context.port';
import { DirectoryContext } from '../context/directory-context';
import { copyIntoRoot } from '../copy/copy-into-root';
import { resolveSources, ResolvedSource } from '../copy/resolve-sources';
import { secureJoin } from '../fs/secure-join';
import { resolveChown } from '../run/image-user';
import { RuncExecutor } from '../run/runc-executor';
import { BuilderError, BuilderErrorCode } from './builder.errors';
import { ImageState, lowerDirs } from './image-state';
import { LayerSteps } from './layer-steps';
import { commandArgs, shellOf } from './metadata-steps';
import { BuildProgress, OutputTail } from './progress';
import { sourcesChecksum } from './source-checksum';
import { stepKey } from './step-cache';

export interface FileStepsOptions {
  steps: LayerSteps;
  executor: RuncExecutor;
  progress: BuildProgress;
  signal?: AbortSignal;
}

/** Where a COPY reads from: the build context, or another stage's or image's file system. */
export interface CopySource {
  context: BuildContext;
  /** Identifies the source for the cache key (a stage's or image's cache key; '' for the context). */
  key: string;
  release(): Promise<void>;
}

/** RUN, COPY, ADD and WORKDIR: the instructions that change files and so make layers. */
export class FileSteps {
  constructor(private readonly options: FileStepsOptions) {}

  async run(state: ImageState, instruction: RunInstruction, env: ReadonlyMap<string, string>, keyEnv: ReadonlyMap<string, string>): Promise<ImageState> {
    const script = runScript(instruction);
    if (script.kind === 'executable') {
      throw new BuilderError(BuilderErrorCode.InvalidInstruction, `line ${instruction.line}: RUN with a here-document that starts with #! is not supported yet; use RUN <<EOF with shell commands`);
    }
    const args = script.kind === 'exec' ? script.args : [...shellOf(state.config), script.script];
    const workdir = state.config.WorkingDir || '/';
    const user = state.config.User ?? '';
    const key = stepKey(state.cacheKey, ['RUN', args, [...keyEnv], user, workdir]);
    const createdBy = `RUN ${args.join(' ')}`;
    return this.options.steps.run(state, key, createdBy, async (upperDir) => {
      const tail = new OutputTail();
      const result = await this.options.executor.run({
        lowerDirs: lowerDirs(state),
        upperDir,
        args,
        env: [...env].map(([name, value]) => `${name}=${value}`),
        cwd: workdir,
        user,
        signal: this.options.signal,
        onOutput: (_, chunk) => {
          tail.push(chunk);
          this.options.progress.output(chunk);
        },
      });
      if (result.exitCode !== 0) {
        throw new BuilderError(
          BuilderErrorCode.RunFailed,
          `line ${instruction.line}: RUN ${displayCommand(args)} failed with exit code ${result.exitCode}`,
          { exitCode: result.exitCode, lastLines: tail.text() },
        );
      }
    });
  }

  async copy(state: ImageState, instruction: CopyInstruction | AddInstruction, source: CopySource): Promise<ImageState> {
    const inline = await writeInlineFiles(instruction);
    try {
      const context = inline?.context ?? source.context;
      const sources = await this.resolve(context, instruction, inline ? instruction.inlineFiles.map((file) => file.name) : instruction.sources);
      const key = stepKey(state.cacheKey, [
        instruction.kind,
        source.key,
        await sourcesChecksum(context, sources),
        instruction.destination,
        instruction.chown ?? null,
        instruction.chmod ?? null,
        state.config.WorkingDir ?? '/',
      ]);
      const createdBy = `${instruction.kind} ${instruction.sources.join(' ')} ${instruction.destination}`.replace(/\s+/g, ' ');
      return await this.options.steps.run(state, key, createdBy, (upperDir) => this.copyInto(state, upperDir, context, sources, instruction));
    } finally {
      await inline?.remove();
    }
  }

  async workdir(state: ImageState, instruction: WorkdirInstruction, workdir: string): Promise<ImageState> {
    const user = state.config.User ?? '';
    const key = stepKey(state.cacheKey, ['WORKDIR', workdir, user]);
    return this.options.steps.run(state, key, `WORKDIR ${instruction.path}`, async (upperDir) => {
      const mount = await this.options.steps.mountWritable(state, upperDir);
      try {
        const target = await secureJoin(mount.target, workdir);
        const existed = await fs.lstat(target).then(() => true, () => false);
        await fs.mkdir(target, { recursive: true, mode: 0o755 });
        if (!existed && user) {
          const owner = await resolveChown(mount.target, user);
          await fs.chown(target, owner.uid, owner.gid);
        }
      } finally {
        await mount.unmount();
      }
    });
  }

  private async resolve(context: BuildContext, instruction: CopyInstruction | AddInstruction, sources: string[]): Promise<ResolvedSource[]> {
    if (instruction.kind === 'ADD' && sources.some((source) => /^[a-z]+:\/\//i.test(source))) {
      throw new BuilderError(BuilderErrorCode.InvalidInstruction, `line ${instruction.line}: ADD from a URL is not supported yet; download the file in a RUN step or add it to the context`);
    }
    try {
      return await resolveSources(context, sources);
    } catch (error) {
      throw new BuilderError(BuilderErrorCode.CopyFailed, `line ${instruction.line}: ${(error as Error).message}`);
    }
  }

  private async copyInto(state: ImageState, upperDir: string, context: BuildContext, sources: ResolvedSource[], instruction: CopyInstruction | AddInstruction): Promise<void> {
    const mount = await this.options.steps.mountWritable(state, upperDir);
    try {
      const owner = instruction.chown ? await resolveChown(mount.target, instruction.chown) : { uid: 0, gid: 0 };
      const chmod = instruction.chmod ? parseChmod(instruction.chmod, instruction.line) : undefined;
      await copyIntoRoot(context, sources, mount.target, { dest: instruction.destination, workdir: state.config.WorkingDir || '/', owner, chmod });
    } catch (error) {
      if (error instanceof BuilderError) throw error;
      throw new BuilderError(BuilderErrorCode.CopyFailed, `line ${instruction.line}: ${instruction.kind} failed: ${(error as Error).message}`);
    } finally {
      await mount.unmount();
    }
  }
}

function parseChmod(value: string, line: number): number {
  if (!/^[0-7]{3,4}$/.test(value)) {
    throw new BuilderError(BuilderErrorCode.InvalidInstruction, `line ${line}: --chmod=${value} is not an octal mode such as 644 or 0755`);
  }
  return parseInt(value, 8);
}

/** `COPY <<EOF /dest`: here-documents become files of a small context of their own. */
async function writeInlineFiles(instruction: CopyInstruction | AddInstruction): Promise<{ context: BuildContext; remove(): Promise<void> } | null> {
  if (instruction.inlineFiles.length === 0) return null;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-heredoc-'));
  for (const file of instruction.inlineFiles) await fs.writeFile(path.join(dir, file.name), file.content, { mode: 0o644 });
  return { context: new DirectoryContext(dir), remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

function displayCommand(args: string[]): string {
  const text = args.length >= 3 && args[1] === '-c' ? args.slice(2).join(' ') : JSON.stringify(args);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export { commandArgs };
