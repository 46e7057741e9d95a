import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';

/**
 * Who a sign-in is for, when the tokens say: the id_token's (or a JWT access
 * token's) `email`, `preferred_username`, `name` or `sub`. Only read for
 * display ("Connected as …"); Tandem never trusts it for anything else, so the
 * signature is not checked. Null when the tokens are opaque.
 */
export function accountFromTokens(tokens: OAuthTokens): string | null {
  for (const jwt of [tokens.id_token, tokens.access_token]) {
    if (!jwt || jwt.split('.').length !== 3) continue;
    try {
      const claims = decodeJwt(jwt);
      for (const key of ['email', 'preferred_username', 'name', 'sub'] as const) {
        const value = claims[key];
        if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 200);
      }
    } catch {
      // Not a JWT after all.
    }
  }
  return null;
}
