import { isDeepStrictEqual } from 'node:util';
import { describeInode, FlatFs, hardlinkGroups } from './flatten';

/** The image config fields the suite compares. */
export const CONFIG_FIELDS = [
  'Env',
  'Cmd',
  'Entrypoint',
  'WorkingDir',
  'User',
  'ExposedPorts',
  'Labels',
  'Volumes',
  'StopSignal',
  'Healthcheck',
  'OnBuild',
  'Shell',
] as const;
export type ConfigField = (typeof CONFIG_FIELDS)[number];

/** What the comparison looks at: the flattened file system and the config fields above. */
export interface ImageView {
  fs: FlatFs;
  config: Partial<Record<ConfigField, unknown>>;
}

export type Difference =
  | { kind: 'docker-only'; path: string; docker: string }
  | { kind: 'berth-only'; path: string; berth: string }
  | { kind: 'changed'; path: string; docker: string; berth: string }
  | { kind: 'hardlinks'; side: 'docker' | 'berth'; group: string[] }
  | { kind: 'config'; field: ConfigField; docker: unknown; berth: unknown };

/**
 * Picks the compared fields. Only representations with one meaning are unified: JSON null and
 * an absent key, and an empty WorkingDir/User string (both mean "the default").
 */
export function configView(config: Record<string, unknown> | undefined): ImageView['config'] {
  const view: ImageView['config'] = {};
  for (const field of CONFIG_FIELDS) {
    const value = config?.[field];
    if (value === null || value === undefined) continue;
    if ((field === 'WorkingDir' || field === 'User') && value === '') continue;
    view[field] = value;
  }
  return view;
}

export function compareImages(docker: ImageView, berth: ImageView): Difference[] {
  return [...compareFs(docker.fs, berth.fs), ...compareHardlinks(docker.fs, berth.fs), ...compareConfig(docker.config, berth.config)];
}

function compareFs(docker: FlatFs, berth: FlatFs): Difference[] {
  const differences: Difference[] = [];
  const paths = [...new Set([...docker.keys(), ...berth.keys()])].sort();
  for (const path of paths) {
    const d = docker.get(path);
    const b = berth.get(path);
    if (d && !b) differences.push({ kind: 'docker-only', path, docker: describeInode(d) });
    else if (b && !d) differences.push({ kind: 'berth-only', path, berth: describeInode(b) });
    else if (d && b && describeInode(d) !== describeInode(b)) {
      differences.push({ kind: 'changed', path, docker: describeInode(d), berth: describeInode(b) });
    }
  }
  return differences;
}

function compareHardlinks(docker: FlatFs, berth: FlatFs): Difference[] {
  const key = (group: string[]) => group.join('\0');
  const dockerGroups = hardlinkGroups(docker);
  const berthGroups = hardlinkGroups(berth);
  const inBerth = new Set(berthGroups.map(key));
  const inDocker = new Set(dockerGroups.map(key));
  return [
    ...dockerGroups.filter((group) => !inBerth.has(key(group))).map((group) => ({ kind: 'hardlinks' as const, side: 'docker' as const, group })),
    ...berthGroups.filter((group) => !inDocker.has(key(group))).map((group) => ({ kind: 'hardlinks' as const, side: 'berth' as const, group })),
  ];
}

function compareConfig(docker: ImageView['config'], berth: ImageView['config']): Difference[] {
  return CONFIG_FIELDS.filter((field) => !isDeepStrictEqual(docker[field], berth[field])).map((field) => ({
    kind: 'config' as const,
    field,
    docker: docker[field],
    berth: berth[field],
  }));
}

/** `reference` names the left side: Docker, or the hand-written expectation. */
export function formatDifference(difference: Difference, reference = 'docker'): string {
  const left = reference.padEnd(8);
  switch (difference.kind) {
    case 'docker-only':
      return `/${difference.path}: only in ${reference}'s image (${difference.docker})`;
    case 'berth-only':
      return `/${difference.path}: only in Berth's image (${difference.berth})`;
    case 'changed':
      return `/${difference.path}:\n    ${left}${difference.docker}\n    berth   ${difference.berth}`;
    case 'hardlinks':
      return `hardlink group only in ${difference.side === 'docker' ? reference : 'berth'}'s image: ${difference.group.map((p) => `/${p}`).join(' = ')}`;
    case 'config':
      return `config ${difference.field}:\n    ${left}${JSON.stringify(difference.docker)}\n    berth   ${JSON.stringify(difference.berth)}`;
  }
}
