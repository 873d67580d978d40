import { DeployerError, DeployerErrorCode } from './deployer.errors';

/** The process type that runs once before a release goes live, never as an instance. */
export const RELEASE_PROCESS = 'release';
export const WEB_PROCESS = 'web';
const MAX_INSTANCES_PER_TYPE = 32;

/**
 * How many instances of each process type a release runs: the app's formation where set,
 * else one `web` (the Procfile's, or the image's own command) and none of the others.
 */
export function desiredFormation(formation: Record<string, number>, processTypes: Record<string, string>): Record<string, number> {
  const types = Object.keys(processTypes).filter((type) => type !== RELEASE_PROCESS);
  if (!types.includes(WEB_PROCESS) && !(WEB_PROCESS in processTypes)) types.push(WEB_PROCESS);
  const desired: Record<string, number> = {};
  for (const type of types) desired[type] = formation[type] ?? (type === WEB_PROCESS ? 1 : 0);
  return desired;
}

/** Validates a scale request against the release's process types. */
export function checkScale(request: Record<string, unknown>, processTypes: Record<string, string>): Record<string, number> {
  const known = new Set([...Object.keys(processTypes), WEB_PROCESS]);
  known.delete(RELEASE_PROCESS);
  const result: Record<string, number> = {};
  for (const [type, count] of Object.entries(request)) {
    if (!known.has(type)) {
      throw new DeployerError(DeployerErrorCode.InvalidFormation, `"${type}" is not a process type of this app (it has: ${[...known].join(', ')})`);
    }
    if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > MAX_INSTANCES_PER_TYPE) {
      throw new DeployerError(DeployerErrorCode.InvalidFormation, `${type}: the count must be a whole number from 0 to ${MAX_INSTANCES_PER_TYPE}`);
    }
    result[type] = count as number;
  }
  return result;
}
