import { DockerfileError, DockerfileErrorCode } from './errors';
import { cleanPath, dirname } from './dockerignore/clean-path';
import { IgnorePattern } from './dockerignore/ignore-pattern';

/**
 * `.dockerignore` with Docker's semantics (moby/patternmatcher and its ignorefile reader),
 * which differ from .gitignore:
 * - every pattern is anchored at the context root: `foo` excludes `./foo`, not `a/foo`
 *   (write `**\/foo` for that); a leading `/` means nothing more;
 * - `*` never crosses a `/`; `**` matches any number of directories;
 * - a pattern that matches a directory also matches everything below it;
 * - the last matching pattern wins, and `!pattern` re-includes even inside an excluded
 *   directory (gitignore cannot re-include below an excluded directory).
 */

const BYTE_ORDER_MARK = '\ufeff';

/** Reads an ignore file into cleaned patterns (comments and blank lines dropped). */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  const lines = text.split('\n');
  if (lines[0]?.startsWith(BYTE_ORDER_MARK)) lines[0] = lines[0].slice(1);
  for (const line of lines) {
    // Only a `#` in the very first column starts a comment, as in Docker.
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern !== '') {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? '!' + pattern : pattern);
  }
  return patterns;
}

export class DockerignoreMatcher {
  readonly patterns: readonly IgnorePattern[];

  /** Patterns as parseDockerignore returns them (`!` prefix for re-inclusion). */
  constructor(patterns: readonly string[]) {
    this.patterns = patterns.flatMap((written) => {
      let pattern = written.trim();
      if (pattern === '') return [];
      pattern = cleanPath(pattern);
      const exclusion = pattern.startsWith('!');
      if (exclusion && pattern.length === 1) {
        throw new DockerfileError(DockerfileErrorCode.InvalidIgnorePattern, '.dockerignore: illegal exclusion pattern "!"; write !<path>');
      }
      return [new IgnorePattern(exclusion ? pattern.slice(1) : pattern, exclusion)];
    });
  }

  static fromText(text: string): DockerignoreMatcher {
    return new DockerignoreMatcher(parseDockerignore(text));
  }

  /** Whether any `!` pattern exists (only then can an excluded directory hold included files). */
  get hasExceptions(): boolean {
    return this.patterns.some((pattern) => pattern.exclusion);
  }

  /**
   * Whether a path (relative to the context root, `/`-separated) is left out of the context:
   * the last pattern matching it, or one of its parent directories, decides.
   */
  isExcluded(path: string): boolean {
    const file = cleanPath(path);
    if (file === '.') return false;
    const parent = dirname(file);
    const parentElements = parent === '.' ? [] : parent.split('/');
    let excluded = false;
    for (const pattern of this.patterns) {
      // An exclusion only matters once something is excluded, an inclusion only before.
      if (pattern.exclusion !== excluded) continue;
      if (pattern.matches(file) || this.matchesAnAncestor(pattern, parentElements)) excluded = !pattern.exclusion;
    }
    return excluded;
  }

  /**
   * Whether a walk of the context must enter this directory: it is not excluded, or a `!`
   * pattern may re-include something below it. Answers conservatively (true when unsure).
   */
  mustWalk(directory: string): boolean {
    if (!this.isExcluded(directory)) return true;
    const elements = cleanPath(directory).split('/');
    return this.patterns.some((pattern) => pattern.exclusion && mayMatchBelow(pattern, elements));
  }

  private matchesAnAncestor(pattern: IgnorePattern, parentElements: readonly string[]): boolean {
    for (let depth = 1; depth <= parentElements.length; depth++) {
      if (pattern.matches(parentElements.slice(0, depth).join('/'))) return true;
    }
    return false;
  }
}

/** Could `pattern` match a path strictly below the directory made of `elements`? */
function mayMatchBelow(pattern: IgnorePattern, elements: readonly string[]): boolean {
  for (let index = 0; index < elements.length; index++) {
    const part = pattern.elements[index];
    // A pattern no longer than the directory decides the directory and its content alike.
    if (part === undefined) return false;
    if (part.includes('**')) return true;
    if (!elementMatches(part, elements[index])) return false;
  }
  return pattern.elements.length > elements.length;
}

function elementMatches(part: string, element: string): boolean {
  try {
    return new IgnorePattern(part, false).matches(element);
  } catch {
    return true;
  }
}

export interface DockerignoreFile {
  /** Which file was used, relative to the context root. */
  path: string;
  patterns: string[];
}

/** Reads a file relative to the context root; undefined (or null) when it does not exist. */
export type ContextFileReader = (path: string) => Promise<string | undefined | null> | string | undefined | null;

/**
 * Finds the ignore file for a build, as BuildKit does: `<Dockerfile path>.dockerignore`
 * (next to the Dockerfile, e.g. `docker/app.Dockerfile.dockerignore`) wins over the
 * context's `.dockerignore`. Returns undefined when neither exists.
 */
export async function loadDockerignore(dockerfilePath: string, readFile: ContextFileReader): Promise<DockerignoreFile | undefined> {
  const dockerfile = cleanPath(dockerfilePath).replace(/^\/+/, '');
  for (const path of [`${dockerfile}.dockerignore`, '.dockerignore']) {
    const text = await readFile(path);
    if (text !== undefined && text !== null) return { path, patterns: parseDockerignore(text) };
  }
  return undefined;
}
