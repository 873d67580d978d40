import { Digest, isDigest } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';

/** `name:tag`, `name@sha256:…`, both, or a bare digest. */
export interface ImageReference {
  name?: string;
  tag?: string;
  digest?: Digest;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME_PATTERN = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

export function parseReference(reference: string): ImageReference {
  if (isDigest(reference)) return { digest: reference };
  const [nameAndTag = '', digest, ...rest] = reference.split('@');
  if (rest.length > 0 || (digest !== undefined && !isDigest(digest))) throw invalidReference(reference);
  const { name, tag } = splitTag(nameAndTag);
  if (name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) throw invalidReference(reference);
  if (tag !== undefined && !TAG_PATTERN.test(tag)) throw invalidReference(reference);
  return digest === undefined ? { name, tag: tag ?? 'latest' } : { name, tag, digest: digest as Digest };
}

/** The `name:tag` form stored in index.json; refuses references that name no tag. */
export function taggedName(reference: string): string {
  const parsed = parseReference(reference);
  if (parsed.name === undefined || parsed.tag === undefined || parsed.digest !== undefined) {
    throw new LayerStoreError(
      LayerStoreErrorCode.InvalidReference,
      `"${reference}" is not a name:tag reference; tags are written as name:tag, e.g. myapp:v3`,
      { reference },
    );
  }
  return `${parsed.name}:${parsed.tag}`;
}

function splitTag(nameAndTag: string): { name: string; tag?: string } {
  const colon = nameAndTag.lastIndexOf(':');
  if (colon === -1 || colon < nameAndTag.lastIndexOf('/')) return { name: nameAndTag };
  return { name: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1) };
}

function invalidReference(reference: string): LayerStoreError {
  return new LayerStoreError(
    LayerStoreErrorCode.InvalidReference,
    `"${reference.slice(0, 300)}" is not a valid image reference; use lowercase name[:tag] or name@sha256:<64 hex>`,
    { reference: reference.slice(0, 300) },
  );
}
