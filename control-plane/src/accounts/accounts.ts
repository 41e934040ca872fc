import { eq } from 'drizzle-orm';
import { sha256Hex, uuid } from '../crypto/hash.ts';
import type { Queryable } from '../db/index.ts';
import { accounts, apiTokens } from '../db/schema.ts';

export async function ensureAccount(db: Queryable, id: string, name: string): Promise<boolean> {
  const created = await db.insert(accounts).values({ id, name, createdAt: Date.now() }).onConflictDoNothing().returning();
  return created.length > 0;
}

export async function findAccount(db: Queryable, id: string) {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  return row ?? null;
}

/** Registers `token` for `accountId`; only its SHA-256 is stored. Idempotent. */
export async function registerToken(db: Queryable, accountId: string, token: string, name: string, isAdmin = false) {
  const [row] = await db
    .insert(apiTokens)
    .values({ id: uuid(), accountId, tokenHash: sha256Hex(token), name, isAdmin, createdAt: Date.now() })
    .onConflictDoUpdate({ target: apiTokens.tokenHash, set: { isAdmin } })
    .returning();
  return row;
}

export async function findToken(db: Queryable, token: string) {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, sha256Hex(token)));
  return row ?? null;
}
