import type { Readable } from 'node:stream';

export type ContextEntryType = 'file' | 'dir' | 'symlink';

/** One path of a build context, as COPY/ADD see it (never its mtime: mtimes do not bust the cache). */
export interface ContextEntry {
  /** Relative to the context root, '/'-separated, no leading './'. */
  path: string;
  type: ContextEntryType;
  mode: number;
  size: number;
  linkTarget?: string;
  /**
   * The owner, from contexts whose owners are part of what is copied (another stage's or an
   * image's files, for COPY --from); absent for a build context, whose files Docker copies as 0:0.
   */
  uid?: number;
  gid?: number;
  /** Identifies a file that has other hardlinks in the context, so a copy can link them alike. */
  inode?: string;
}

/**
 * Where COPY and ADD read from: a directory, or a git tree at a commit. Paths are relative to
 * the context root and have passed .dockerignore; nothing outside the root is reachable.
 */
/**
 * How the caller of localPath reads the file: 'no-follow' opens it with O_NOFOLLOW, so a file the
 * context has just listed need not be checked again (a symlink swapped in since is refused anyway).
 */
export type LocalReader = 'follow' | 'no-follow';

export interface BuildContext {
  /** A human name for messages ("directory /src", "commit abc123"). */
  readonly description: string;
  /** Reads a file for the builder itself (the Dockerfile, .dockerignore); null when absent. */
  readFile(path: string): Promise<Buffer | null>;
  /** The entry at `path` (symlinks not followed), or null when absent or ignored. */
  stat(path: string): Promise<ContextEntry | null>;
  /** The entries directly inside the directory `path` ('' is the root), sorted by name. */
  list(path: string): Promise<ContextEntry[]>;
  open(path: string): Readable;
  /** Where a file is on this machine's disk, when it is there (so it can be copied by the kernel). */
  localPath?(path: string, reader?: LocalReader): Promise<string | null>;
  /** Called once the build is over (a context may persist what it learnt). */
  close?(): Promise<void>;
  /** A digest of a file's content; a git context can answer with its blob id. */
  contentDigest(path: string): Promise<string>;
}
