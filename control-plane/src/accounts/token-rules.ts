import { errors } from '../http/api-error.ts';

export type TokenStatus = 'active' | 'expired' | 'revoked';

/** Epoch milliseconds; null for never. */
interface Lifetime {
  expiresAt: number | null;
  revokedAt: number | null;
}

export function tokenStatus(token: Lifetime, now: number): TokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  return 'active';
}

export interface Minter {
  isAdmin: boolean;
  canCreateTokens: boolean;
  expiresAt: number | null;
}

/** What a new token asks for, and what it is granted. */
export interface Grant {
  canCreateTokens: boolean;
  expiresAt: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What a token minted by `minter` gets: never more than the minter has. Only a token that may mint
 * mints, so "can_create_tokens" is never passed on by one that lacks it; the new token expires no
 * later than the minter (with it when it asks for no expiry). Throws the refusal otherwise.
 */
export function grantFor(minter: Minter, request: Grant, now: number): Grant {
  const minterMayMint = minter.isAdmin || minter.canCreateTokens;
  if (!minterMayMint) {
    throw errors.forbidden('This API token may not create tokens: use the administrator token or a token created with "can_create_tokens": true.');
  }
  if (request.expiresAt !== null && request.expiresAt <= now) {
    throw errors.badRequest(`"expires_on" (${iso(request.expiresAt)}) is not in the future: give a later time, or leave it out.`, 10001, '/expires_on');
  }
  if (request.expiresAt !== null && minter.expiresAt !== null && request.expiresAt > minter.expiresAt) {
    throw errors.badRequest(
      `"expires_on" (${iso(request.expiresAt)}) is later than the expiry of the token creating it (${iso(minter.expiresAt)}): ask for that time or earlier, or leave "expires_on" out to expire with it.`,
      10001,
      '/expires_on',
    );
  }
  return { canCreateTokens: request.canCreateTokens, expiresAt: request.expiresAt ?? minter.expiresAt };
}
