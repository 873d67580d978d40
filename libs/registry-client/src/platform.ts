import { Descriptor, hostPlatform, Platform } from '@berth/layer-store';
import { RegistryClientError, RegistryClientErrorCode } from './errors';

/** BuildKit marks provenance/SBOM manifests in an index this way; they are not runnable images. */
const REFERENCE_TYPE_ANNOTATION = 'vnd.docker.reference.type';

/** linux on this machine's architecture, with the variant Docker would pick (v8 on arm64, v6/v7 on arm). */
export function defaultPlatform(arch: string = process.arch, armVersion: unknown = armVersionOfThisNode()): Platform {
  const platform = hostPlatform(arch);
  if (platform.architecture === 'arm64') return { ...platform, variant: 'v8' };
  if (platform.architecture === 'arm' && armVersion !== undefined && armVersion !== '') {
    return { ...platform, variant: `v${String(armVersion)}` };
  }
  return platform;
}

function armVersionOfThisNode(): unknown {
  // Node records the ARM version it was built for; it is the best cheap hint of the CPU's.
  return (process.config.variables as Record<string, unknown>)['arm_version'];
}

export function platformName(platform: Platform | undefined): string {
  if (platform === undefined) return 'unknown';
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/**
 * Picks the manifest to pull from an index: same os and architecture, then the best variant.
 * Attestation manifests and entries without a platform are never chosen.
 */
export function selectPlatformManifest(manifests: readonly Descriptor[], wanted: Platform, reference: string): Descriptor {
  let best: { entry: Descriptor; score: number } | undefined;
  for (const entry of manifests) {
    if (isAttestation(entry) || entry.platform === undefined) continue;
    const { os, architecture } = entry.platform;
    if (os !== wanted.os || architecture !== wanted.architecture) continue;
    const score = variantScore(architecture, entry.platform.variant, wanted.variant);
    if (score > 0 && (best === undefined || score > best.score)) best = { entry, score };
  }
  if (best !== undefined) return best.entry;
  throw noMatchingPlatform(manifests, wanted, reference);
}

export function isAttestation(entry: Descriptor): boolean {
  if (entry.annotations?.[REFERENCE_TYPE_ANNOTATION] === 'attestation-manifest') return true;
  return entry.platform?.os === 'unknown' || entry.platform?.architecture === 'unknown';
}

/**
 * 0: cannot run here. Higher is better: the exact variant, then none named, then an older
 * ARM variant the CPU still runs (a v7 CPU runs v6 and v5 code).
 */
function variantScore(architecture: string, offered: string | undefined, wanted: string | undefined): number {
  const have = normalizeVariant(architecture, offered);
  const want = normalizeVariant(architecture, wanted);
  if (have === want) return 1000;
  if (have === undefined) return 500;
  if (want === undefined) return have === 'v1' ? 900 : 0;
  if (architecture === 'arm') {
    const haveLevel = armLevel(have);
    const wantLevel = armLevel(want);
    if (haveLevel !== null && wantLevel !== null && haveLevel < wantLevel) return 100 + haveLevel;
  }
  return 0;
}

/** arm64 images usually say v8 or nothing, and mean the same. */
function normalizeVariant(architecture: string, variant: string | undefined): string | undefined {
  if (variant === undefined || variant === '') return architecture === 'arm64' ? 'v8' : undefined;
  return variant.toLowerCase();
}

function armLevel(variant: string): number | null {
  const match = /^v(\d+)$/.exec(variant);
  return match ? Number(match[1]) : null;
}

function noMatchingPlatform(manifests: readonly Descriptor[], wanted: Platform, reference: string): RegistryClientError {
  const offered = manifests.filter((entry) => !isAttestation(entry)).map((entry) => platformName(entry.platform));
  return new RegistryClientError(
    RegistryClientErrorCode.NoMatchingPlatform,
    `${reference} has no image for ${platformName(wanted)} (it has: ${offered.join(', ') || 'none'}); ` +
      `use a tag or image that is published for ${platformName(wanted)}`,
    { reference, platform: platformName(wanted), offered },
  );
}
