import { createHash } from 'node:crypto';
import { LayerStoreError, LayerStoreErrorCode } from './errors';

/** A sha256 content digest, `sha256:` followed by 64 lowercase hex characters. */
export type Digest = `sha256:${string}`;

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
const HEX_PATTERN = /^[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/** Validates before a digest is ever turned into a path, so a digest can never smuggle `../`. */
export function parseDigest(value: unknown, what = 'digest'): Digest {
  if (isDigest(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : typeof value;
  throw new LayerStoreError(
    LayerStoreErrorCode.InvalidDigest,
    `${what} ${shown} is not a valid digest; expected "sha256:" followed by 64 lowercase hex characters`,
    { value: typeof value === 'string' ? value.slice(0, 100) : undefined },
  );
}

export function digestHex(digest: Digest): string {
  return parseDigest(digest).slice('sha256:'.length);
}

/** The inverse of digestHex for names found on disk; null for anything that is not a digest. */
export function digestFromHex(hex: string): Digest | null {
  return HEX_PATTERN.test(hex) ? (`sha256:${hex}` as Digest) : null;
}

export function sha256Digest(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)), per the OCI image spec. */
export function chainIdsOf(diffIds: readonly Digest[]): Digest[] {
  const chain: Digest[] = [];
  for (const diffId of diffIds) {
    const parent = chain[chain.length - 1];
    chain.push(nextChainId(parent, parseDigest(diffId, 'DiffID')));
  }
  return chain;
}

export function chainIdOf(diffIds: readonly Digest[]): Digest {
  const chain = chainIdsOf(diffIds);
  const top = chain[chain.length - 1];
  if (!top) {
    throw new LayerStoreError(LayerStoreErrorCode.InvalidDigest, 'a ChainID needs at least one DiffID');
  }
  return top;
}

export function nextChainId(parent: Digest | undefined, diffId: Digest): Digest {
  return parent === undefined ? diffId : sha256Digest(`${parent} ${diffId}`);
}
