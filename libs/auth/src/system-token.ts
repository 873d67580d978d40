import fs from 'node:fs/promises';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { ApiTokenEntity, UserEntity, UserRole } from '@berth/db';
import { generateToken, hashToken } from './tokens';

export const SYSTEM_USER_NAME = 'berth-system';
const SYSTEM_TOKEN_NAME = 'system';

/**
 * The token Berth's own processes use with each other (the worker pulling release images from
 * the api's registry). Its plain value lives only in a 0600 file under the data dir; the
 * database keeps its hash like any other token.
 */
export async function ensureSystemToken(dataSource: DataSource, dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'secrets', 'system-token');
  return dataSource.transaction(async (manager) => {
    // Read under the lock: a process that got here first may have just written the file.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('berth.system-token'))`);
    const existing = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
    const users = manager.getRepository(UserEntity);
    const user = (await users.findOneBy({ name: SYSTEM_USER_NAME })) ?? (await users.save(users.create({ name: SYSTEM_USER_NAME, role: UserRole.Admin })));
    const tokens = manager.getRepository(ApiTokenEntity);
    const stored = await tokens.findOneBy({ userId: user.id, name: SYSTEM_TOKEN_NAME });
    if (existing && stored?.tokenHash === hashToken(existing)) return existing;
    const token = generateToken();
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fs.writeFile(`${file}.tmp`, token, { mode: 0o600 });
    await fs.rename(`${file}.tmp`, file);
    if (stored) await tokens.delete({ id: stored.id });
    await tokens.insert({ userId: user.id, name: SYSTEM_TOKEN_NAME, tokenHash: hashToken(token) });
    return token;
  });
}
