import { asc, eq } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { ensureAccount, findAccount } from '../accounts/accounts.ts';
import { randomHexId } from '../crypto/hash.ts';
import { accounts } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import { success } from '../http/envelope.ts';
import { readJson } from '../http/validation.ts';
import type { AppEnv } from '../platform.ts';

/** Accounts: what clients call to check a token and find their account, and what a platform admin uses to onboard tenants. */
export const identityRoutes = new Hono<AppEnv>();

const accountJson = (row: typeof accounts.$inferSelect) => ({
  id: row.id,
  name: row.name,
  created_on: new Date(row.createdAt).toISOString(),
  settings: {},
});

async function ownAccounts(c: Context<AppEnv>) {
  const { db } = c.var.platform;
  if (c.var.isAdmin) return db.select().from(accounts).orderBy(asc(accounts.createdAt));
  return db.select().from(accounts).where(eq(accounts.id, c.var.accountId));
}

const singlePage = (count: number) => ({ page: 1, per_page: Math.max(count, 20), count, total_count: count, total_pages: 1 });

identityRoutes.get('/user/tokens/verify', (c) => success(c, { id: c.var.tokenId, status: 'active' }));

identityRoutes.get('/accounts', async (c) => {
  const rows = await ownAccounts(c);
  return success(c, rows.map(accountJson), singlePage(rows.length));
});

identityRoutes.post('/accounts', async (c) => {
  if (!c.var.isAdmin) throw errors.forbidden('Only a platform administrator token can create accounts.');
  const body = (await readJson(c)) as { name?: unknown } | undefined;
  if (typeof body?.name !== 'string' || body.name.trim() === '') throw errors.badRequest('A new account needs a "name".', 10001);
  const id = randomHexId();
  await ensureAccount(c.var.platform.db, id, body.name);
  return success(c, accountJson((await findAccount(c.var.platform.db, id))!));
});

identityRoutes.get('/accounts/:accountId', async (c) => success(c, accountJson((await findAccount(c.var.platform.db, c.var.accountId))!)));

identityRoutes.get('/memberships', async (c) => {
  const rows = await ownAccounts(c);
  const result = rows.map((row) => ({ id: `${c.var.tokenId}-${row.id}`, status: 'accepted', account: { id: row.id, name: row.name } }));
  return success(c, result, singlePage(rows.length));
});
