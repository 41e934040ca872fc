import { Hono } from 'hono';
import { findAccount } from '../accounts/accounts.ts';
import { success } from '../http/envelope.ts';
import type { AppEnv } from '../platform.ts';

/** The identity endpoints clients call to check a token and find its account. */
export const identityRoutes = new Hono<AppEnv>();

identityRoutes.get('/user/tokens/verify', (c) => success(c, { id: c.var.tokenId, status: 'active' }));

async function accountJson(c: { var: AppEnv['Variables'] }) {
  const account = await findAccount(c.var.platform.db, c.var.accountId);
  return { id: c.var.accountId, name: account?.name ?? c.var.accountId, created_on: new Date(account?.createdAt ?? 0).toISOString(), settings: {} };
}

identityRoutes.get('/accounts', async (c) => success(c, [await accountJson(c)], { page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 }));

identityRoutes.get('/accounts/:accountId', async (c) => success(c, await accountJson(c)));

identityRoutes.get('/memberships', async (c) => {
  const account = await accountJson(c);
  return success(c, [{ id: c.var.tokenId, status: 'accepted', account: { id: account.id, name: account.name } }], {
    page: 1,
    per_page: 20,
    count: 1,
    total_count: 1,
    total_pages: 1,
  });
});
