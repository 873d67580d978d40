/**
 * Go's path.Clean (filepath.Clean on Linux): collapse `//`, drop `.`, resolve `..` lexically,
 * drop a trailing slash; `''` becomes `.`. Docker cleans ignore patterns and paths with it.
 */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (!rooted) parts.push('..');
  }
  const joined = parts.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Go's path.Dir: everything but the last element, cleaned. */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return cleanPath(slash < 0 ? '' : path.slice(0, slash + 1));
}
