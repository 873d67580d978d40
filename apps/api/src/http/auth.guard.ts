import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Principal, TokenAuthService } from '@berth/auth';

const PUBLIC_ROUTE = 'berth:public-route';
const QUERY_TOKEN = 'berth:query-token';

type QueryTokenRule = (request: Request) => boolean;

/** Marks a route that authenticates differently (health, webhooks) or not at all. */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * A stream the browser opens with EventSource, which cannot send headers: the token may come
 * as `?access_token=` when `when(request)` holds. Nothing else accepts a token in the URL.
 */
export const QueryTokenAllowed = (when: QueryTokenRule = () => true) => SetMetadata(QUERY_TOKEN, when);

type AuthenticatedRequest = Request & { principal?: Principal };

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function queryToken(request: Request): string | undefined {
  const value = request.query.access_token;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Every route needs a bearer token unless it is marked @PublicRoute(): secure by default. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: TokenAuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const queryRule = this.reflector.get<QueryTokenRule | undefined>(QUERY_TOKEN, context.getHandler());
    request.principal = await this.auth.authenticate(bearerToken(request) ?? (queryRule?.(request) ? queryToken(request) : undefined));
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
