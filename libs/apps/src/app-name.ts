/** DNS label: a-z, 0-9 and '-', 1-63 characters, no leading or trailing '-'. */
export const APP_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Names that would collide with Berth's own hosts or paths. */
export const RESERVED_APP_NAMES: ReadonlySet<string> = new Set([
  'admin',
  'api',
  'assets',
  'berth',
  'console',
  'git',
  'healthz',
  'readyz',
  'registry',
  'static',
  'v2',
  'webhooks',
  'www',
]);

export type AppNameProblem = 'invalid' | 'reserved';

export function appNameProblem(name: string): AppNameProblem | null {
  if (!APP_NAME_PATTERN.test(name)) return 'invalid';
  if (RESERVED_APP_NAMES.has(name)) return 'reserved';
  return null;
}
