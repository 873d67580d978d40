export { AuthError, AuthErrorCode } from './auth.errors';
export { ADMIN_USER_NAME, AdminBootstrapResult, ensureAdminToken } from './admin-bootstrap';
export { AuthModule } from './auth.module';
export { Principal, TokenAuthService } from './token-auth.service';
export { generateToken, hashToken } from './tokens';
export { ensureSystemToken, SYSTEM_USER_NAME } from './system-token';
