import { PassThrough, Readable } from 'node:stream';
import { CommandRunner, runChecked } from '../run/command-runner';
import { BuildContext, ContextEntry } from './build-context.port';
import { cleanContextPath, IgnorePredicate } from './directory-context';

interface TreeEntry {
  entry: ContextEntry;
  oid: string;
}

const MODE_OF_GIT_MODE: Record<string, { type: ContextEntry['type']; mode: number }> = {
  '100644': { type: 'file', mode: 0o644 },
  '100755': { type: 'file', mode: 0o755 },
  '120000': { type: 'symlink', mode: 0o777 },
  '040000': { type: 'dir', mode: 0o755 },
};

/**
 * A build context read straight from a git repository at a commit, with no checkout: the tree
 * is listed once, files are streamed from the object store, and a blob's id serves as its
 * content checksum, so nothing is hashed again. Submodules are not part of the context.
 */
export class GitTreeContext implements BuildContext {
  readonly description: string;

  private constructor(
    private readonly runner: CommandRunner,
    private readonly repository: string,
    private readonly commit: string,
    private readonly isIgnored: IgnorePredicate,
    private readonly entries = new Map<string, TreeEntry>(),
    private readonly children = new Map<string, string[]>(),
  ) {
    this.description = `commit ${commit.slice(0, 12)} of ${repository}`;
  }

  static async open(runner: CommandRunner, repository: string, commit: string, isIgnored: IgnorePredicate = () => false): Promise<GitTreeContext> {
    const context = new GitTreeContext(runner, repository, commit, isIgnored);
    await context.load(commit);
    return context;
  }

  /** The same tree seen through `.dockerignore`, without listing it again. */
  withIgnore(isIgnored: IgnorePredicate): GitTreeContext {
    return new GitTreeContext(this.runner, this.repository, this.commit, isIgnored, this.entries, this.children);
  }

  async readFile(path: string): Promise<Buffer | null> {
    const found = this.visible(path);
    if (!found || found.entry.type !== 'file') return null;
    return Buffer.from(await this.catTextBlob(found.oid), 'utf8');
  }

  async stat(path: string): Promise<ContextEntry | null> {
    const clean = cleanContextPath(path);
    if (clean === '') return { path: '', type: 'dir', mode: 0o755, size: 0 };
    const found = this.visible(clean);
    if (!found) return null;
    if (found.entry.type === 'symlink' && found.entry.linkTarget === undefined) {
      found.entry.linkTarget = await this.catTextBlob(found.oid);
    }
    return found.entry;
  }

  async list(path: string): Promise<ContextEntry[]> {
    const names = this.children.get(cleanContextPath(path)) ?? [];
    const entries = await Promise.all(names.map((child) => this.stat(child)));
    return entries.filter((entry): entry is ContextEntry => entry !== null);
  }

  open(path: string): Readable {
    const found = this.visible(path);
    const stream = new PassThrough();
    if (!found) {
      stream.destroy(new Error(`${path} is not in ${this.description}`));
      return stream;
    }
    const running = this.runner.start('git', ['--git-dir', this.repository, 'cat-file', 'blob', found.oid]);
    running.stdout.pipe(stream);
    running.exited.then((code) => code !== 0 && stream.destroy(new Error(`git cat-file failed for ${path}`)), (error) => stream.destroy(error));
    return stream;
  }

  async contentDigest(path: string): Promise<string> {
    const found = this.visible(path);
    if (!found) throw new Error(`${path} is not in ${this.description}`);
    return `git:${found.oid}`;
  }

  private visible(path: string): TreeEntry | undefined {
    const clean = cleanContextPath(path);
    const found = this.entries.get(clean);
    if (!found || this.isIgnored(clean, found.entry.type === 'dir')) return undefined;
    return found;
  }

  /** For the builder's own small text files (Dockerfile, .dockerignore) and symlink targets. */
  private catTextBlob(oid: string): Promise<string> {
    return runChecked(this.runner, 'git', ['--git-dir', this.repository, 'cat-file', 'blob', oid]);
  }

  /** One `git ls-tree -r -t -l -z` lists every path with its mode, object id and size. */
  private async load(commit: string): Promise<void> {
    const listing = await runChecked(this.runner, 'git', ['--git-dir', this.repository, 'ls-tree', '-r', '-t', '-l', '-z', '--full-tree', commit]);
    for (const record of listing.split('\0').filter(Boolean)) {
      const tab = record.indexOf('\t');
      const [gitMode, , oid, size] = record.slice(0, tab).split(/\s+/);
      const path = record.slice(tab + 1);
      const kind = MODE_OF_GIT_MODE[gitMode];
      if (!kind) continue;
      this.entries.set(path, { oid, entry: { path, type: kind.type, mode: kind.mode, size: kind.type === 'file' ? Number(size) : 0 } });
      const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
      const siblings = this.children.get(parent);
      if (siblings) siblings.push(path);
      else this.children.set(parent, [path]);
    }
    for (const names of this.children.values()) names.sort();
  }
}
