import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddInstruction, CopyInstruction, RunInstruction, WorkdirInstruction } from '@berth/dockerfile';
import { runScript } from '@berth/dockerfile';
import { BuildContext } from '../context/build-context.port';
import { DirectoryContext } from '../context/directory-context';
import { copyIntoRoot, mkdirInRoot, Owner } from '../copy/copy-into-root';
import { resolveSources, ResolvedSource } from '../copy/resolve-sources';
import { isNumericChown, planDirectCopy, planDirectMkdir } from '../copy/direct-write';
import { OverlayMount } from '../run/overlay-mounter';
import { WrittenFiles } from '../copy/written-files';
import { OpaqueProbe } from '../copy/union-lookup';
import { resolveChown } from '../run/image-user';
import { RuncExecutor } from '../run/runc-executor';
import { BuilderError, BuilderErrorCode } from './builder.errors';
import { ImageState, lowerDirs } from './image-state';
import { LayerSteps, StepOutput } from './layer-steps';
import { commandArgs, shellOf } from './metadata-steps';
import { BuildProgress, OutputTail } from './progress';
import { sourcesChecksum } from './source-checksum';
import { detectTarArchive, unpackArchiveInto } from './add-archive';
import { downloadAddSources, isUrl, spoolContextFile } from './add-sources';
import { stepKey } from './step-cache';

export interface FileStepsOptions {
  steps: LayerSteps;
  /** The build's scratch space (downloads, archives being unpacked). */
  scratchDir: string;
  executor: RuncExecutor;
  /** Tells opaque snapshot directories apart, for steps that write without a mount. */
  opaqueProbe: OpaqueProbe;
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
    // A here-document starting with #! is run as an executable file, where BuildKit puts it.
    const files = script.kind === 'executable' ? [{ path: `/dev/pipes/${script.name}`, content: script.content, mode: 0o755 }] : [];
    const args = script.kind === 'exec' ? script.args : script.kind === 'shell' ? [...shellOf(state.config), script.script] : [files[0].path];
    const workdir = state.config.WorkingDir || '/';
    const user = state.config.User ?? '';
    const key = stepKey(state.cacheKey, ['RUN', args, files, [...keyEnv], user, workdir]);
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
        files,
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
      return { xattrs: result.xattrs };
    });
  }

  async copy(state: ImageState, instruction: CopyInstruction | AddInstruction, source: CopySource): Promise<ImageState> {
    const inline = await this.separateContext(instruction);
    try {
      const context = inline?.context ?? source.context;
      const sources = await this.resolve(context, instruction, inline?.names ?? instruction.sources);
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
      return await this.options.steps.run(state, key, createdBy, (upperDir) => this.copyInto(state, upperDir, context, sources, instruction), 'berth');
    } finally {
      await inline?.remove();
    }
  }

  async workdir(state: ImageState, instruction: WorkdirInstruction, workdir: string): Promise<ImageState> {
    const user = state.config.User ?? '';
    const key = stepKey(state.cacheKey, ['WORKDIR', workdir, user]);
    return this.options.steps.run(state, key, `WORKDIR ${instruction.path}`, async (upperDir) => {
      const direct = !user || isNumericChown(user) ? await planDirectMkdir(lowerDirs(state), workdir, this.options.opaqueProbe) : null;
      if (direct) {
        if (!direct.missing) return;
        await this.options.steps.prepareDirect(state, upperDir, direct.copyUps);
        await mkdirInRoot(upperDir, workdir, user ? await resolveChown(upperDir, user) : undefined);
        return;
      }
      const mount = await this.options.steps.mountWritable(state, upperDir);
      try {
        // Every directory WORKDIR creates belongs to the USER, as BuildKit's MkdirAll does.
        await mkdirInRoot(mount.target, workdir, user ? await resolveChown(mount.target, user) : undefined);
      } finally {
        await mount.unmount();
      }
    }, 'berth');
  }

  /** Here-documents and downloaded URLs are copied from a small context of their own. */
  private async separateContext(instruction: CopyInstruction | AddInstruction): Promise<{ context: BuildContext; names: string[]; remove(): Promise<void> } | null> {
    if (instruction.kind === 'ADD' && instruction.sources.some(isUrl)) {
      if (!instruction.sources.every(isUrl)) {
        throw new BuilderError(BuilderErrorCode.InvalidInstruction, `line ${instruction.line}: ADD mixes URLs and local files; split it into one ADD for each`);
      }
      const downloaded = await downloadAddSources(instruction, this.options.scratchDir);
      return { ...downloaded, remove: async () => undefined };
    }
    const inline = await writeInlineFiles(instruction);
    return inline && { ...inline, names: instruction.inlineFiles.map((file) => file.name) };
  }

  private async resolve(context: BuildContext, instruction: CopyInstruction | AddInstruction, sources: string[]): Promise<ResolvedSource[]> {
    try {
      return await resolveSources(context, sources);
    } catch (error) {
      throw new BuilderError(BuilderErrorCode.CopyFailed, `line ${instruction.line}: ${(error as Error).message}`);
    }
  }

  private async copyInto(state: ImageState, upperDir: string, context: BuildContext, sources: ResolvedSource[], instruction: CopyInstruction | AddInstruction): Promise<StepOutput> {
    let mount: OverlayMount | null = null;
    try {
      const workdir = state.config.WorkingDir || '/';
      const direct = await this.directCopyRoot(state, upperDir, context, sources, instruction);
      if (direct === null) mount = await this.options.steps.mountWritable(state, upperDir);
      const rootfs = direct ?? mount!.target;
      // Without --chown, files keep the owners their source reports: 0:0 from the build context, the stage's own for COPY --from.
      const owner = instruction.chown ? await resolveChown(rootfs, instruction.chown) : undefined;
      const chmod = instruction.chmod ? parseChmod(instruction.chmod, instruction.line) : undefined;
      const toCopy = instruction.kind === 'ADD' ? await this.unpackArchives(context, sources, rootfs, path.posix.resolve(workdir, instruction.destination), owner) : sources;
      const written = new WrittenFiles(rootfs);
      if (toCopy.length > 0) await copyIntoRoot(context, toCopy, rootfs, { dest: instruction.destination, workdir, owner, chmod, written });
      return { knownContent: written.contentOf };
    } catch (error) {
      if (error instanceof BuilderError) throw error;
      throw new BuilderError(BuilderErrorCode.CopyFailed, `line ${instruction.line}: ${instruction.kind} failed: ${(error as Error).message}`);
    } finally {
      await mount?.unmount();
    }
  }

  /**
   * The upper dir itself, readied, when COPY can write there without mounting the image (see
   * direct-write.ts); null for ADD (archives unpack through the mount) and --chown by name.
   */
  private async directCopyRoot(state: ImageState, upperDir: string, context: BuildContext, sources: ResolvedSource[], instruction: CopyInstruction | AddInstruction): Promise<string | null> {
    if (instruction.kind !== 'COPY' || (instruction.chown !== undefined && !isNumericChown(instruction.chown))) return null;
    const target = { dest: instruction.destination, workdir: state.config.WorkingDir || '/' };
    const copyUps = await planDirectCopy(lowerDirs(state), context, sources, target, this.options.opaqueProbe);
    if (copyUps === null) return null;
    await this.options.steps.prepareDirect(state, upperDir, copyUps);
    return upperDir;
  }
  /** ADD unpacks local tar archives into the destination; answers the sources left to copy. */
  private async unpackArchives(context: BuildContext, sources: ResolvedSource[], rootfs: string, dest: string, owner?: Owner): Promise<ResolvedSource[]> {
    const rest: ResolvedSource[] = [];
    for (const source of sources) {
      if (source.entry.type !== 'file') {
        rest.push(source);
        continue;
      }
      const spooled = path.join(await fs.mkdtemp(path.join(this.options.scratchDir, 'archive-')), 'archive');
      try {
        await spoolContextFile(context, source.entry.path, spooled);
        const compression = await detectTarArchive(spooled);
        if (compression) {
          // The destination belongs to --chown's owner; the extracted entries keep the archive's (as in Docker 20.10).
          await mkdirInRoot(rootfs, dest, owner);
          await unpackArchiveInto(spooled, compression, rootfs, dest, this.options.scratchDir);
        }
        else rest.push(source);
      } finally {
        await fs.rm(path.dirname(spooled), { recursive: true, force: true });
      }
    }
    return rest;
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
