import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { readLayerXattrs, SystemTools, XattrsByPath } from '@berth/layer-store';
import { BuilderError, BuilderErrorCode } from '../build/builder.errors';
import { secureJoin } from '../fs/secure-join';
import { CommandRunner } from './command-runner';
import { resolveImageUser } from './image-user';
import { missingMountPaths, removeMountStubs } from './mount-stubs';
import { RUN_MOUNT_DESTINATIONS, runtimeSpec } from './oci-spec';
import { matchRootAttributes, OverlayMount, OverlayMounter } from './overlay-mounter';

export interface RunStepRequest {
  /** Extracted snapshots of the image's layers, top-most first. */
  lowerDirs: string[];
  /** Receives the step's changes; afterwards it is the new layer's content in overlay form. */
  upperDir: string;
  args: string[];
  env: string[];
  cwd: string;
  /** The image's USER, resolved against its own /etc/passwd. */
  user: string;
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  signal?: AbortSignal;
  /** Files bound read-only into the container for the step only (a RUN here-document script). */
  files?: Array<{ path: string; content: string; mode: number }>;
}

export interface RunStepResult {
  exitCode: number;
  /**
   * After a successful step: the upper dir's xattrs for its layer (readLayerXattrs), read while
   * the overlay is unmounted. Marked handled; await it to see a failure.
   */
  xattrs?: Promise<XattrsByPath>;
}

export interface RuncExecutorOptions {
  runtime: string;
  /** Scratch space (bundles, mounts, runc state), on the same file system as upper dirs. */
  stateDir: string;
  resolvConf?: string;
  /** Reads the upper dir's xattrs (getfattr); a seam for tests. */
  tools?: SystemTools;
}

const HOSTS_FILE = '127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n';

/** Executes RUN steps in a real container: runc over an overlayfs of the image's snapshots. */
export class RuncExecutor {
  private readonly mounter: OverlayMounter;
  private sharedHostFiles?: Promise<{ hostsFile: string; resolvConf: string }>;

  constructor(
    private readonly runner: CommandRunner,
    private readonly options: RuncExecutorOptions,
  ) {
    this.mounter = new OverlayMounter(runner);
  }

  async run(request: RunStepRequest): Promise<RunStepResult> {
    const id = `berth-build-${randomBytes(6).toString('hex')}`;
    const scratch = path.join(this.options.stateDir, id);
    await fs.mkdir(scratch, { recursive: true });
    await matchRootAttributes(request.upperDir, request.lowerDirs[0]);
    const mount = await this.mounter.mount({
      lowerDirs: request.lowerDirs,
      upperDir: request.upperDir,
      workDir: path.join(scratch, 'work'),
      target: path.join(scratch, 'rootfs'),
      scratchDir: scratch,
    });
    let missingStubs: string[] = [];
    let exitCode: number;
    try {
      missingStubs = await missingMountPaths(mount.target, RUN_MOUNT_DESTINATIONS);
      await fs.mkdir(await secureJoin(mount.target, request.cwd), { recursive: true });
      const user = await resolveImageUser(mount.target, request.user);
      const bundle = await this.writeBundle(scratch, mount.target, request, user);
      exitCode = await this.runContainer(id, bundle, request);
      // Through the mount: the stubs exist only in the upper dir, so none leaves a whiteout, and
      // the upper dir is final before the unmount, beside which its xattrs are read.
      await removeMountStubs(mount.target, missingStubs);
      missingStubs = [];
    } catch (error) {
      await this.release(mount, scratch, request.upperDir, missingStubs);
      throw error;
    }
    const xattrs = exitCode === 0 ? readLayerXattrs(request.upperDir, { overlayUpper: true, tools: this.options.tools }) : undefined;
    xattrs?.catch(() => undefined);
    await this.release(mount, scratch, request.upperDir, []);
    return { exitCode, xattrs };
  }

  private async release(mount: OverlayMount, scratch: string, upperDir: string, stubsLeft: string[]): Promise<void> {
    await mount.unmount();
    await removeMountStubs(upperDir, stubsLeft);
    await fs.rm(scratch, { recursive: true, force: true });
  }

  private async writeBundle(scratch: string, rootfs: string, request: RunStepRequest, user: Awaited<ReturnType<typeof resolveImageUser>>) {
    const bundle = path.join(scratch, 'bundle');
    await fs.mkdir(bundle);
    const spec = runtimeSpec(rootfs, { args: request.args, env: request.env, cwd: request.cwd, ...user }, await this.hostFiles());
    const mounts = spec.mounts as Array<Record<string, unknown>>;
    for (const [index, file] of (request.files ?? []).entries()) {
      const source = path.join(scratch, `file-${index}`);
      await fs.writeFile(source, file.content, { mode: file.mode });
      mounts.push({ destination: file.path, type: 'bind', source, options: ['rbind', 'ro'] });
    }
    await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
    return bundle;
  }

  /**
   * The hosts file and the copy of the host's resolv.conf that every step binds read-only: written
   * once for the executor (one build), not for each step.
   */
  private hostFiles(): Promise<{ hostsFile: string; resolvConf: string }> {
    this.sharedHostFiles ??= (async () => {
      const dir = path.join(this.options.stateDir, 'host-files');
      await fs.mkdir(dir, { recursive: true });
      const hostsFile = path.join(dir, 'hosts');
      await fs.writeFile(hostsFile, HOSTS_FILE);
      const resolvConf = path.join(dir, 'resolv.conf');
      await fs.copyFile(this.options.resolvConf ?? '/etc/resolv.conf', resolvConf).catch(() => fs.writeFile(resolvConf, ''));
      return { hostsFile, resolvConf };
    })();
    this.sharedHostFiles.catch(() => {
      this.sharedHostFiles = undefined; // the next step tries again
    });
    return this.sharedHostFiles;
  }

  private async runContainer(id: string, bundle: string, request: RunStepRequest): Promise<number> {
    // A cancel during the mount and bundle set-up has no container to kill yet: never start one.
    if (request.signal?.aborted) throw new BuilderError(BuilderErrorCode.Cancelled, 'the build was cancelled');
    const root = path.join(this.options.stateDir, 'runc');
    const running = this.runner.start(this.options.runtime, ['--root', root, 'run', '--bundle', bundle, id]);
    running.stdout.on('data', (chunk: Buffer) => request.onOutput('stdout', chunk));
    running.stderr.on('data', (chunk: Buffer) => request.onOutput('stderr', chunk));
    const kill = () => void this.runner.run(this.options.runtime, ['--root', root, 'kill', id, 'KILL']);
    request.signal?.addEventListener('abort', kill, { once: true });
    let exitedCleanly = false;
    try {
      const code = await running.exited;
      exitedCleanly = !request.signal?.aborted;
      return code;
    } finally {
      request.signal?.removeEventListener('abort', kill);
      // `runc run` deletes its container when the process exits; only a cancel or a failure to
      // wait leaves one behind (a process per RUN step saved on the common path).
      if (!exitedCleanly) await this.runner.run(this.options.runtime, ['--root', root, 'delete', '--force', id]);
    }
  }
}

