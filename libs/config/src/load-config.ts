import { BerthConfig, environmentSchema, toConfig } from './config.schema';

/** A configuration that cannot be used; its message is the one line shown to the operator. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type RawEnvironment = Record<string, string | undefined>;

/** Variables whose value must not be echoed in the one-line error: it may hold a password. */
const SECRET_VARIABLES = new Set(['BERTH_REGISTRY_AUTH']);

/** Empty strings count as unset, as they do for most shells' `VAR= cmd`. */
function withoutEmpty(env: RawEnvironment): RawEnvironment {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

/**
 * Parses and validates Berth's environment once. Every process calls this at boot and
 * passes the typed result along; nothing else reads the environment.
 */
export function loadConfig(env: RawEnvironment = process.env, cwd: string = process.cwd()): BerthConfig {
  const parsed = environmentSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    const given = SECRET_VARIABLES.has(variable) ? undefined : env[variable];
    throw new ConfigError(variable, `${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}`);
  }
  return toConfig(parsed.data, cwd);
}

export { inheritedEnvironment } from './client-config';
