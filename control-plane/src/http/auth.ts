import type { MiddlewareHandler } from 'hono';
import { findAccount } from '../accounts/accounts.ts';
import { tokenStatus } from '../accounts/token-rules.ts';
import { findToken, noteTokenUse } from '../accounts/token-store.ts';
import type { AppEnv } from '../platform.ts';
import { errors } from './api-error.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}

/** Resolves the caller's API token to its account, refusing revoked and expired ones; every API route sits behind it. */
export const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerToken(c.req.header('authorization'));
  if (!token) throw errors.unauthenticated();
  const { db } = c.var.platform;
  const row = await findToken(db, token);
  if (!row) throw errors.unauthenticated('Authentication error: the API token is not valid.');
  const now = Date.now();
  const status = tokenStatus(row, now);
  if (status === 'revoked') throw errors.unauthenticated(`Authentication error: this API token was revoked on ${iso(row.revokedAt!)}; use another token.`);
  if (status === 'expired') throw errors.unauthenticated(`Authentication error: this API token expired on ${iso(row.expiresAt!)}; use another token.`);
  await noteTokenUse(db, row, now);
  c.set('tokenId', row.id);
  c.set('accountId', row.accountId);
  c.set('isAdmin', row.isAdmin);
  await next();
};

/**
 * For `/accounts/:accountId/...`: the account must exist and be the token's own, or the token an
 * administrator's. From here on `accountId` is the account of the path.
 */
export const requireAccountAccess: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requested = c.req.param('accountId') ?? '';
  if (requested !== c.var.accountId) {
    // A token of another account learns nothing, not even whether the account exists.
    if (!c.var.isAdmin) throw errors.forbidden();
    if (!(await findAccount(c.var.platform.db, requested))) throw errors.notFound(7003, `Could not route to /accounts/${requested}: no such account.`);
    c.set('accountId', requested);
  }
  await next();
};
