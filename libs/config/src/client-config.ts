import path from 'node:path';

type RawEnvironment = Record<string, string | undefined>;

/**
 * What `berth build` needs before it knows whether a warm build daemon can do the rest. Read
 * without the full schema: loading zod costs a no-change `berth build` a third of its time.
 * Anything unexpected answers null, and the caller loads the full configuration, which
 * validates everything and names what is wrong.
 */
export interface BuildClientConfig {
  dataDir: string;
  buildDaemon: 'auto' | 'off';
  /**
   * The environment that configures Berth, canonical: a daemon started with another one must
   * not serve. Compared whole rather than hashed: loading node's crypto costs a warm build 5 ms.
   */
  environmentKey: string;
}

const BERTH_VARIABLE = /^(BERTH_.+|DATABASE_URL|REDIS_URL|DOCKER_HOST)$/;

export function loadBuildClientConfig(env: RawEnvironment = process.env, cwd: string = process.cwd()): BuildClientConfig | null {
  const daemon = env.BERTH_BUILD_DAEMON || 'auto';
  if (daemon !== 'auto' && daemon !== 'off') return null;
  const dataDir = path.resolve(cwd, env.BERTH_DATA_DIR || '.berth');
  return { dataDir, buildDaemon: daemon, environmentKey: environmentKey(env, cwd) };
}

function environmentKey(env: RawEnvironment, cwd: string): string {
  const relevant = Object.keys(env)
    .filter((name) => BERTH_VARIABLE.test(name) && env[name] !== '')
    .sort()
    .map((name) => [name, env[name]]);
  return JSON.stringify({ cwd, relevant });
}

/** The environment handed to child processes that Berth starts (supervised roles, the build daemon). */
export function inheritedEnvironment(overrides: RawEnvironment = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}

/** Where bin/berth puts NODE_EXTRA_CA_CERTS for `berth build`, which itself makes no TLS connection. */
export const HANDED_ON_CA_CERTS = 'BERTH_DAEMON_NODE_EXTRA_CA_CERTS';

/**
 * The environment of a process that builds for `berth build` (its daemon, or the build itself
 * when no daemon answers): NODE_EXTRA_CA_CERTS back where Node reads it, for pulls from
 * registries behind a private CA. The handed-on name stays, so daemon and client agree on the
 * environment key. Null when bin/berth handed nothing on.
 */
export function buildEnvironment(overrides: RawEnvironment = {}): NodeJS.ProcessEnv | null {
  const certs = process.env[HANDED_ON_CA_CERTS];
  if (!certs || process.env.NODE_EXTRA_CA_CERTS) return null;
  return inheritedEnvironment({ NODE_EXTRA_CA_CERTS: certs, ...overrides });
}
