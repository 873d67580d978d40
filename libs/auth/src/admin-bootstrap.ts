import { DataSource, EntityManager } from 'typeorm';
import { ApiTokenEntity, UserEntity, UserRole } from '@berth/db';
import { generateToken, hashToken } from './tokens';

export const ADMIN_USER_NAME = 'admin';
const ADMIN_TOKEN_NAME = 'admin';

export interface AdminBootstrapResult {
  /** The plain token when it was generated now; it is shown once and never stored. */
  generatedToken?: string;
}

/**
 * Makes sure the first admin and its token exist. With BERTH_ADMIN_TOKEN set, that value is
 * the admin's token (replacing an older one); without it, a token is generated on the first
 * start only. Serialised by an advisory lock so processes starting together agree.
 */
export async function ensureAdminToken(dataSource: DataSource, configuredToken?: string): Promise<AdminBootstrapResult> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('berth.admin-bootstrap'))`);
    const admin = await findOrCreateAdmin(manager);
    const tokens = manager.getRepository(ApiTokenEntity);
    const existing = await tokens.findOneBy({ userId: admin.id, name: ADMIN_TOKEN_NAME });
    if (configuredToken) {
      const tokenHash = hashToken(configuredToken);
      if (existing?.tokenHash === tokenHash) return {};
      if (existing) await tokens.delete({ id: existing.id });
      await tokens.insert({ userId: admin.id, name: ADMIN_TOKEN_NAME, tokenHash });
      return {};
    }
    if (existing) return {};
    const generatedToken = generateToken();
    await tokens.insert({ userId: admin.id, name: ADMIN_TOKEN_NAME, tokenHash: hashToken(generatedToken) });
    return { generatedToken };
  });
}

async function findOrCreateAdmin(manager: EntityManager): Promise<UserEntity> {
  const users = manager.getRepository(UserEntity);
  const admin = await users.findOneBy({ name: ADMIN_USER_NAME });
  if (admin) return admin;
  return users.save(users.create({ name: ADMIN_USER_NAME, role: UserRole.Admin }));
}
