import type { SourceLocation } from '../errors';
import type { ArgInstruction } from '../instructions/types';
import type { EscapeToken } from '../shell/shell-lexer';
import { expandAt } from './expand-at';

/**
 * Build arguments Docker lets a build use without an ARG line. They reach RUN's environment
 * but never the image and never the cache key (a different proxy must not bust the cache).
 */
export const PROXY_ARG_NAMES: ReadonlySet<string> = new Set(
  ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((name) => [name, name.toLowerCase()]),
);

/** Names BuildKit defines in the global scope by itself (usable in FROM without ARG). */
export const PLATFORM_ARG_NAMES: readonly string[] = [
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDOSVERSION',
  'BUILDARCH',
  'BUILDVARIANT',
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETOSVERSION',
  'TARGETARCH',
  'TARGETVARIANT',
  'TARGETSTAGE',
];

/** Build arguments BuildKit itself reads; passing them never earns an "unused" warning. */
const BUILDER_ARG_NAMES: ReadonlySet<string> = new Set([
  'SOURCE_DATE_EPOCH',
  'BUILDKIT_INLINE_CACHE',
  'BUILDKIT_MULTI_PLATFORM',
  'BUILDKIT_SANDBOX_HOSTNAME',
  'BUILDKIT_CONTEXT_KEEP_GIT_DIR',
  'BUILDKIT_SYNTAX',
]);

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export const DEFAULT_PLATFORM = 'linux/amd64';

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  return { os: os ?? '', architecture: architecture ?? '', ...(variant ? { variant } : {}) };
}

function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** The automatic platform arguments, each overridable with a build argument of the same name. */
export function platformArgs(build: Platform, target: Platform, targetStage: string, buildArgs: ReadonlyMap<string, string>): Map<string, string> {
  const defaults: Array<[string, string]> = [
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDOSVERSION', ''],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETOSVERSION', ''],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
    ['TARGETSTAGE', targetStage || 'default'],
  ];
  return new Map(defaults.map(([name, value]) => [name, buildArgs.get(name) ?? value]));
}

export interface GlobalArg {
  name: string;
  /** The default as written, before expansion. */
  defaultValue?: string;
  /** The value in effect: the build argument, else the expanded default; undefined when neither. */
  value?: string;
  line: number;
}

/**
 * Resolves the ARGs before the first FROM, in order: a build argument wins, else the default
 * is expanded with the global arguments declared so far.
 */
export function resolveGlobalArgs(
  instructions: readonly ArgInstruction[],
  scope: Map<string, string>,
  buildArgs: ReadonlyMap<string, string>,
  context: { file: string; escapeToken: EscapeToken },
): GlobalArg[] {
  const resolved: GlobalArg[] = [];
  for (const instruction of instructions) {
    const location: SourceLocation = { file: context.file, line: instruction.line };
    for (const declaration of instruction.args) {
      const value = buildArgs.get(declaration.name) ?? expandDefault(declaration.defaultValue, scope, context.escapeToken, location);
      if (value !== undefined) scope.set(declaration.name, value);
      resolved.push({ name: declaration.name, defaultValue: declaration.defaultValue, value, line: instruction.line });
    }
  }
  return resolved;
}

function expandDefault(written: string | undefined, scope: ReadonlyMap<string, string>, escapeToken: EscapeToken, location: SourceLocation): string | undefined {
  if (written === undefined) return undefined;
  return expandAt(written, scope, { escapeToken }, location, 'fix the ARG default or pass the value with --build-arg').value;
}

/** Proxy settings passed as build arguments, in the spelling they were given. */
export function proxyEnvironment(buildArgs: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...buildArgs].filter(([name]) => PROXY_ARG_NAMES.has(name)));
}

/** Build arguments no ARG consumed and that the builder does not read by itself. */
export function unusedBuildArgs(buildArgs: ReadonlyMap<string, string>, declared: ReadonlySet<string>): string[] {
  return [...buildArgs.keys()]
    .filter((name) => !declared.has(name) && !PROXY_ARG_NAMES.has(name))
    .filter((name) => !PLATFORM_ARG_NAMES.includes(name) && !BUILDER_ARG_NAMES.has(name))
    .sort();
}
