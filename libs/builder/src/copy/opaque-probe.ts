import { OVERLAY_OPAQUE_XATTR, parseGetfattrDump } from '@berth/layer-store';
import { CommandRunner } from '../run/command-runner';
import { OpaqueProbe } from './union-lookup';

/** Answers kept at most; snapshots never change, so an answer only leaves to bound memory. */
const MAX_REMEMBERED = 50_000;

/**
 * Reads overlay's opaque marker of snapshot directories with one getfattr for all of them (Node
 * has no xattr call) and remembers the answers: a snapshot's content never changes under its
 * path, and a warm build daemon asks about the same base image directories build after build.
 */
export class GetfattrOpaqueProbe {
  private readonly known = new Map<string, boolean>();

  constructor(private readonly runner: CommandRunner) {}

  readonly probe: OpaqueProbe = async (dirs) => {
    const unknown = dirs.filter((dir) => !this.known.has(dir));
    if (unknown.length > 0) await this.read(unknown);
    return dirs.map((dir) => this.known.get(dir) ?? false);
  };

  private async read(dirs: string[]): Promise<void> {
    const pattern = `^${OVERLAY_OPAQUE_XATTR.replace(/\./g, '\\.')}$`;
    const result = await this.runner.run('getfattr', ['--absolute-names', '-P', '-h', '-d', '-e', 'hex', '-m', pattern, '--', ...dirs]);
    if (result.code !== 0) throw new Error(`getfattr failed (exit ${result.code}): ${result.stderr.trim()}; install the attr package`);
    const found = parseGetfattrDump(result.stdout);
    if (this.known.size + dirs.length > MAX_REMEMBERED) this.known.clear();
    for (const dir of dirs) this.known.set(dir, found.get(dir)?.get(OVERLAY_OPAQUE_XATTR)?.toString('latin1') === 'y');
  }
}
