import { promises as fs } from 'node:fs';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { canonicalRegistry } from './reference';

export interface RegistryCredentials {
  username: string;
  password: string;
}

/**
 * Where registry credentials come from: an inline map keyed by registry host[:port]
 * (`docker.io`, `ghcr.io`, `localhost:5000`), or a docker `config.json`, read at every pull
 * so a `docker login` takes effect without a restart. This is BerthConfig's `registryAuth`.
 */
export type RegistryAuthSource = { credentials: Record<string, RegistryCredentials> } | { dockerConfigPath: string };

/** Credentials by canonical registry name. */
export type CredentialMap = ReadonlyMap<string, RegistryCredentials>;

export async function loadCredentials(source: RegistryAuthSource | undefined): Promise<CredentialMap> {
  if (source === undefined) return new Map();
  if ('credentials' in source) return keyByRegistry(Object.entries(source.credentials));
  let text: string;
  try {
    text = await fs.readFile(source.dockerConfigPath, 'utf8');
  } catch (error) {
    throw badConfig(source.dockerConfigPath, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseDockerConfig(text, source.dockerConfigPath);
}

/**
 * Reads `auths` of a docker config.json: `auth` (base64 of user:password) or username and
 * password. Keys may be URLs (`https://index.docker.io/v1/`). Credential helpers
 * (`credsStore`, `credHelpers`) are not run: Berth only reads what the file holds.
 */
export function parseDockerConfig(text: string, where: string): CredentialMap {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw badConfig(where, 'is not valid JSON');
  }
  const auths = (document as { auths?: unknown } | null)?.auths;
  if (auths === undefined) return new Map();
  if (typeof auths !== 'object' || auths === null) throw badConfig(where, '"auths" is not an object');
  const entries: [string, RegistryCredentials][] = [];
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const credentials = credentialsOfEntry(entry);
    if (credentials !== null) entries.push([key, credentials]);
  }
  return keyByRegistry(entries);
}

function credentialsOfEntry(entry: unknown): RegistryCredentials | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const { auth, username, password } = entry as Record<string, unknown>;
  if (typeof auth === 'string' && auth !== '') {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof username === 'string' && typeof password === 'string') return { username, password };
  return null; // e.g. an entry whose secret lives in a credential helper
}

/** `https://index.docker.io/v1/` -> `docker.io`; `http://host:5000/` -> `host:5000`. */
export function registryKey(key: string): string {
  const withoutScheme = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  return canonicalRegistry(withoutScheme.split('/')[0]);
}

function keyByRegistry(entries: Iterable<[string, RegistryCredentials]>): CredentialMap {
  const map = new Map<string, RegistryCredentials>();
  for (const [key, credentials] of entries) map.set(registryKey(key), credentials);
  return map;
}

function badConfig(path: string, reason: string): RegistryClientError {
  return new RegistryClientError(
    RegistryClientErrorCode.InvalidAuthConfig,
    `the registry credentials file ${path} (BERTH_REGISTRY_AUTH) ${reason}; fix it or point BERTH_REGISTRY_AUTH elsewhere`,
    { path },
  );
}
