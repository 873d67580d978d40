import { Digest, isDigest } from '@berth/layer-store';
import { RegistryError, RegistryErrorCode } from './registry.errors';

/** The distribution spec's `<name>`: lower-case path components joined by `/`. */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME_PATTERN = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
/** Clients prefix the host, and 255 is the limit of a full reference in Docker and distribution. */
const MAX_NAME_LENGTH = 255;
const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** Any digest the OCI grammar allows, so a well-formed sha512 gets a clearer message than garbage. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function isRepositoryName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name);
}

export function checkRepositoryName(name: string): string {
  if (isRepositoryName(name)) return name;
  throw new RegistryError(
    RegistryErrorCode.NameInvalid,
    `invalid repository name "${name.slice(0, 300)}": use lower-case letters, digits and separators (. _ __ -) in ` +
      `components joined by "/", at most ${MAX_NAME_LENGTH} characters`,
    { detail: { name: name.slice(0, 300) } },
  );
}

export function isTag(reference: string): boolean {
  return TAG_PATTERN.test(reference);
}

/** A manifest reference is a tag or a digest; anything with a colon is meant as a digest. */
export function looksLikeDigest(reference: string): boolean {
  return reference.includes(':');
}

/** Validates a digest from a URL or query before it becomes a path in the store. */
export function parseDigestParam(value: unknown, what = 'digest'): Digest {
  if (isDigest(value)) return value;
  const shown = typeof value === 'string' ? value.slice(0, 200) : undefined;
  const reason =
    shown === undefined
      ? `the ${what} is missing: pass it as ?digest=sha256:<64 hex>`
      : DIGEST_GRAMMAR.test(shown) && !shown.startsWith('sha256:')
        ? `${what} ${shown} uses an algorithm this registry does not store; use sha256`
        : `${what} "${shown}" is not a digest; expected sha256:<64 lower-case hex characters>`;
  throw new RegistryError(RegistryErrorCode.DigestInvalid, reason, { detail: { digest: shown ?? null } });
}
