import { GithubError, GithubErrorCode } from './github.errors';

export type CloneUrlKind = 'https' | 'ssh' | 'file';

/** `git@github.com:owner/repo.git`: git's scp-like ssh syntax. */
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;

/**
 * What kind of URL Berth will fetch from, or a clear error. Only https, ssh and (for admins,
 * checked by the caller) file:// URLs: git's other transports (ext::, plain git://, http)
 * are refused, and credentials belong in the encrypted `token`, not in the URL.
 */
export function cloneUrlKind(url: string): CloneUrlKind {
  const refuse = (why: string) => new GithubError(GithubErrorCode.InvalidCloneUrl, `cloneUrl ${why}`);
  if (/[\s\0]/.test(url) || url.startsWith('-')) throw refuse('must not contain spaces or start with "-"');
  if (SCP_LIKE.test(url)) return 'ssh';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('must be an https://, ssh:// or git@host:path URL');
  }
  switch (parsed.protocol) {
    case 'https:':
      if (parsed.password) throw refuse('must not carry a password: send it as "token", which Berth keeps encrypted');
      if (!parsed.hostname || parsed.pathname === '/') throw refuse('must name a host and a repository path');
      return 'https';
    case 'ssh:':
      if (!parsed.hostname || parsed.pathname === '/') throw refuse('must name a host and a repository path');
      return 'ssh';
    case 'file:':
      if (parsed.host !== '' || !parsed.pathname.startsWith('/')) throw refuse('file URLs must be file:///absolute/path');
      return 'file';
    default:
      throw refuse(`must be an https://, ssh:// or git@host:path URL, not ${parsed.protocol}//`);
  }
}

/** GitHub's https clone URL of owner/repo: the default when a link names none. */
export function defaultCloneUrl(repository: string): string {
  return `https://github.com/${repository}.git`;
}
