import fs from 'node:fs/promises';
import { secureJoin } from '../fs/secure-join';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/**
 * Resolves a Dockerfile USER (`name`, `uid`, `name:group`, `uid:gid`) against the image's
 * own /etc/passwd and /etc/group, as Docker does: names must exist there, numbers need not.
 */
export async function resolveImageUser(rootfs: string, user: string): Promise<ResolvedUser> {
  // No USER means root, whether or not the image has a passwd file (FROM scratch has none).
  if (user === '') return { uid: 0, gid: 0, additionalGids: [] };
  const [userPart, groupPart] = splitUser(user);
  const passwd = await readDatabase(rootfs, '/etc/passwd', parsePasswdLine);
  const groups = await readDatabase(rootfs, '/etc/group', parseGroupLine);
  const entry = passwd.find((candidate) => (isNumeric(userPart) ? candidate.uid === Number(userPart) : candidate.name === userPart));
  if (!entry && !isNumeric(userPart)) throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
  const uid = entry?.uid ?? Number(userPart);
  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined) gid = resolveGroup(groups, groupPart);
  const additionalGids =
    groupPart === undefined && entry
      ? groups.filter((group) => group.members.includes(entry.name) && group.gid !== gid).map((group) => group.gid)
      : [];
  return { uid, gid, additionalGids };
}

/** Looks up `user[:group]` names for COPY --chown; numbers pass through. */
export async function resolveChown(rootfs: string, chown: string): Promise<{ uid: number; gid: number }> {
  const [userPart, groupPart] = splitUser(chown);
  const passwd = await readDatabase(rootfs, '/etc/passwd', parsePasswdLine);
  const groups = await readDatabase(rootfs, '/etc/group', parseGroupLine);
  const entry = isNumeric(userPart) ? undefined : passwd.find((candidate) => candidate.name === userPart);
  if (!entry && !isNumeric(userPart)) throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
  const uid = entry?.uid ?? Number(userPart);
  const gid = groupPart === undefined ? (entry?.gid ?? uid) : resolveGroup(groups, groupPart);
  return { uid, gid };
}

function resolveGroup(groups: GroupEntry[], groupPart: string): number {
  if (isNumeric(groupPart)) return Number(groupPart);
  const group = groups.find((candidate) => candidate.name === groupPart);
  if (!group) throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
  return group.gid;
}

function splitUser(value: string): [string, string | undefined] {
  const index = value.indexOf(':');
  return index < 0 ? [value, undefined] : [value.slice(0, index), value.slice(index + 1)];
}

function isNumeric(value: string): boolean {
  return /^\d+$/.test(value);
}

async function readDatabase<T>(rootfs: string, file: string, parse: (fields: string[]) => T | null): Promise<T[]> {
  let text: string;
  try {
    text = await fs.readFile(await secureJoin(rootfs, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => parse(line.split(':')))
    .filter((entry): entry is T => entry !== null);
}

function parsePasswdLine(fields: string[]): PasswdEntry | null {
  if (fields.length < 4 || !isNumeric(fields[2]) || !isNumeric(fields[3])) return null;
  return { name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]) };
}

function parseGroupLine(fields: string[]): GroupEntry | null {
  if (fields.length < 3 || !isNumeric(fields[2])) return null;
  return { name: fields[0], gid: Number(fields[2]), members: (fields[3] ?? '').split(',').filter(Boolean) };
}
