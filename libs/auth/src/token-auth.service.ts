import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiTokenEntity, UserEntity } from '@berth/db';
import { AuthError, AuthErrorCode } from './auth.errors';
import { hashToken } from './tokens';

export interface Principal {
  userId: string;
  userName: string;
  role: UserEntity['role'];
  tokenId: string;
}

/** How often last_used_at is refreshed: often enough to audit, rarely enough not to write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class TokenAuthService {
  constructor(@InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>) {}

  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new AuthError(AuthErrorCode.MissingToken, 'an API token is required: send "Authorization: Bearer TOKEN"');
    const found = await this.tokens.findOne({ where: { tokenHash: hashToken(token) }, relations: { user: true } });
    if (!found?.user) throw new AuthError(AuthErrorCode.InvalidToken, 'the API token is not valid');
    await this.touch(found);
    return { userId: found.user.id, userName: found.user.name, role: found.user.role, tokenId: found.id };
  }

  private async touch(token: ApiTokenEntity): Promise<void> {
    const now = Date.now();
    if (token.lastUsedAt && now - token.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    await this.tokens.update({ id: token.id }, { lastUsedAt: new Date(now) });
  }
}
