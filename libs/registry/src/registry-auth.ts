import type { IncomingMessage } from 'node:http';
import { AuthError, Principal, TokenAuthService } from '@berth/auth';
import { RegistryError, RegistryErrorCode } from './registry.errors';

/** Docker and skopeo answer a Basic challenge with the credentials of `docker login`. */
export const REGISTRY_CHALLENGE = 'Basic realm="Berth"';

/**
 * The registry's own authentication (the api's bearer guard never sees /v2): HTTP Basic with
 * any user name and an API token as the password, or `Authorization: Bearer <api token>`.
 */
export class RegistryAuthenticator {
  constructor(private readonly tokens: TokenAuthService) {}

  async authenticate(request: IncomingMessage): Promise<Principal> {
    const token = tokenOf(request.headers.authorization);
    if (token === null) {
      throw unauthorized('authentication required: log in with an API token as the password (docker login HOST -u berth -p TOKEN)');
    }
    try {
      return await this.tokens.authenticate(token);
    } catch (error) {
      if (error instanceof AuthError) throw unauthorized('the credentials are not valid: the password must be a Berth API token');
      throw error;
    }
  }
}

/** The API token in an Authorization header, or null when there is none to check. */
export function tokenOf(header: string | undefined): string | null {
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? null : decoded.slice(colon + 1) || null;
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return bearer ? bearer[1] : null;
}

function unauthorized(message: string): RegistryError {
  return new RegistryError(RegistryErrorCode.Unauthorized, message, { headers: { 'WWW-Authenticate': REGISTRY_CHALLENGE } });
}
