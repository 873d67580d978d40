import path from 'node:path';
import { BuildContext, ContextEntry } from '../context/build-context.port';
import { cleanContextPath, ContextEscapeError } from '../context/directory-context';
import { componentMatcher, hasWildcard } from './glob';

const MAX_SOURCE_SYMLINKS = 40;

/** A COPY/ADD source after wildcard expansion and top-level symlink resolution. */
export interface ResolvedSource {
  /** What the Dockerfile named, for messages. */
  requested: string;
  /** The name it is copied under: the matched path's, even when that path is a symlink. */
  name: string;
  entry: ContextEntry;
}

export class SourceNotFoundError extends Error {
  constructor(requested: string, context: BuildContext) {
    super(`COPY/ADD source "${requested}" was not found in the build context (${context.description}); check the path and .dockerignore`);
    this.name = 'SourceNotFoundError';
  }
}

/** Expands the sources of one COPY/ADD, refusing anything that leaves the context. */
export async function resolveSources(context: BuildContext, sources: string[]): Promise<ResolvedSource[]> {
  const resolved: ResolvedSource[] = [];
  for (const requested of sources) {
    const clean = cleanContextPath(requested);
    const matches = hasWildcard(clean) ? await expandWildcard(context, clean) : [clean];
    if (matches.length === 0) throw new SourceNotFoundError(requested, context);
    for (const match of matches) {
      resolved.push({ requested, name: path.posix.basename(match), entry: await followTopLevelLinks(context, match, requested) });
    }
  }
  return resolved;
}

/**
 * A source that is itself a symlink is copied as what it points to, which must be in the
 * context. An absolute target is resolved inside the context's root, as BuildKit does: that is
 * what `COPY --from=image /bin/sh` needs when /bin/sh -> /bin/busybox. A target that climbs out
 * with '..', or an absolute one the context lacks (a host path), is refused as outside the context.
 */
async function followTopLevelLinks(context: BuildContext, relativePath: string, requested: string): Promise<ContextEntry> {
  let current = relativePath;
  for (let hops = 0; hops <= MAX_SOURCE_SYMLINKS; hops++) {
    const entry = await context.stat(current);
    if (!entry) throw new SourceNotFoundError(requested, context);
    if (entry.type !== 'symlink') return entry;
    const target = entry.linkTarget!;
    const joined = path.posix.isAbsolute(target) ? target : path.posix.join(path.posix.dirname(current), target);
    try {
      current = cleanContextPath(joined);
    } catch {
      throw new ContextEscapeError(`${requested} -> ${target}`);
    }
    if (path.posix.isAbsolute(target) && !(await context.stat(current))) throw new ContextEscapeError(`${requested} -> ${target}`);
  }
  throw new Error(`COPY/ADD source "${requested}": too many levels of symbolic links`);
}

async function expandWildcard(context: BuildContext, pattern: string): Promise<string[]> {
  const parts = pattern.split('/');
  let candidates = [''];
  for (const part of parts) {
    const next: string[] = [];
    for (const dir of candidates) {
      if (!hasWildcard(part)) {
        const child = dir ? `${dir}/${part}` : part;
        if (await context.stat(child)) next.push(child);
        continue;
      }
      const matcher = componentMatcher(part);
      const parent = await context.stat(dir);
      if (parent?.type !== 'dir') continue;
      for (const entry of await context.list(dir)) if (matcher.test(path.posix.basename(entry.path))) next.push(entry.path);
    }
    candidates = next;
  }
  return candidates.sort();
}
