import { Digest } from '@berth/layer-store';
import { RegistryClientError, RegistryClientErrorCode } from './errors';

/** A reference as Docker understands it, with the implicit parts (registry, `library/`, `latest`) spelled out. */
export interface NormalizedReference {
  /** `docker.io`, `ghcr.io`, `localhost:5000`: the name users write and credentials are keyed by. */
  registry: string;
  /** The host[:port] actually contacted; `registry-1.docker.io` for `docker.io`. */
  endpoint: string;
  /** Path inside the registry, e.g. `library/node`. */
  repository: string;
  tag?: string;
  digest?: Digest;
  /** `registry/repository`, e.g. `docker.io/library/node`. */
  name: string;
  /** The full reference, e.g. `docker.io/library/node:20`; the name the image is tagged under in the store. */
  canonical: string;
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
/** Names Docker treats as Docker Hub besides `docker.io` itself. */
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_PATTERN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;
const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
const MAX_NAME_LENGTH = 255;

/**
 * Normalises a reference the way `docker pull` does: `node:20` is `docker.io/library/node:20`,
 * `user/app` is `docker.io/user/app:latest`, and a first component with a dot, a colon or
 * `localhost` is a registry host.
 */
export function normalizeReference(reference: string): NormalizedReference {
  const input = reference.trim();
  const at = input.indexOf('@');
  const nameAndTag = at === -1 ? input : input.slice(0, at);
  const digest = at === -1 ? undefined : parseDigestPart(input.slice(at + 1), reference);
  const { name, tag } = splitTag(nameAndTag, reference);
  const { registry, repository } = splitRegistry(name, reference);
  const fullName = `${registry}/${repository}`;
  if (fullName.length > MAX_NAME_LENGTH) throw invalid(reference, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  const effectiveTag = tag ?? (digest === undefined ? 'latest' : undefined);
  const canonical = fullName + (effectiveTag === undefined ? '' : `:${effectiveTag}`) + (digest === undefined ? '' : `@${digest}`);
  return { registry, endpoint: registryEndpoint(registry), repository, tag: effectiveTag, digest, name: fullName, canonical };
}

/** The host[:port] to contact for a registry name: Docker Hub's API lives on another host than its name. */
export function registryEndpoint(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_ENDPOINT : registry;
}

/** Folds Docker Hub's aliases and letter case so `index.docker.io` and `docker.io` match, e.g. for credentials. */
export function canonicalRegistry(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

function parseDigestPart(value: string, reference: string): Digest {
  if (DIGEST_PATTERN.test(value)) return value as Digest;
  if (/^[a-z0-9]+([+._-][a-z0-9]+)*:/.test(value) && !value.startsWith('sha256:')) {
    throw invalid(reference, 'only sha256 digests are supported');
  }
  throw invalid(reference, 'the digest must be "sha256:" followed by 64 lowercase hex characters');
}

function splitTag(nameAndTag: string, reference: string): { name: string; tag?: string } {
  const colon = nameAndTag.lastIndexOf(':');
  if (colon === -1 || colon < nameAndTag.lastIndexOf('/')) return { name: nameAndTag };
  const tag = nameAndTag.slice(colon + 1);
  if (!TAG_PATTERN.test(tag)) throw invalid(reference, `"${tag}" is not a valid tag (letters, digits, "_", "." and "-", at most 128)`);
  return { name: nameAndTag.slice(0, colon), tag };
}

function splitRegistry(name: string, reference: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  // Docker's rule: only a first component that looks like a host names a registry.
  const isHost = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  let registry = isHost ? first : DOCKER_HUB;
  let repository = isHost ? name.slice(slash + 1) : name;
  if (isHost && !DOMAIN_PATTERN.test(first)) throw invalid(reference, `"${first}" is not a valid registry host`);
  registry = canonicalRegistry(registry);
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  checkRepository(repository, reference);
  return { registry, repository };
}

function checkRepository(repository: string, reference: string): void {
  if (repository === '') throw invalid(reference, 'the repository name is empty');
  if (repository !== repository.toLowerCase()) throw invalid(reference, 'repository names must be lowercase');
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(reference, `"${component}" is not a valid name component (lowercase letters, digits and single separators)`);
    }
  }
}

function invalid(reference: string, reason: string): RegistryClientError {
  const shown = reference.slice(0, 300);
  return new RegistryClientError(
    RegistryClientErrorCode.InvalidReference,
    `"${shown}" is not a valid image reference: ${reason}; write it as [host[:port]/]name[:tag][@sha256:...], e.g. node:20`,
    { reference: shown },
  );
}
