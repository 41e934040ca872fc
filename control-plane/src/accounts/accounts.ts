import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { accounts } from '../db/schema.ts';

export async function ensureAccount(db: Queryable, id: string, name: string): Promise<boolean> {
  const created = await db.insert(accounts).values({ id, name, createdAt: Date.now() }).onConflictDoNothing().returning();
  return created.length > 0;
}

export async function findAccount(db: Queryable, id: string) {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  return row ?? null;
}
