import { and, count, eq, or, sql } from 'drizzle-orm';
import type { BlobId } from '../blobs/blob-collector.ts';
import { errors } from '../http/api-error.ts';
import { uuid } from '../crypto/hash.ts';
import type { Queryable } from '../db/index.ts';
import { dispatchNamespaces, scripts } from '../db/schema.ts';
import { deleteScriptRows } from '../scripts/script-store.ts';

export type NamespaceRow = typeof dispatchNamespaces.$inferSelect;

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function assertNamespaceName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw errors.badRequest(
      `Invalid dispatch namespace name ${JSON.stringify(name)}: use 1 to 64 letters, digits, "-" or "_", starting with a letter or digit.`,
      10001,
    );
  }
}

export const namespaceNotFound = (name: string) =>
  errors.notFound(100119, `Dispatch namespace "${name}" was not found in this account.`);

/** Finds a namespace of the account by name (as Cloudflare's paths use) or by id. */
export async function findNamespace(db: Queryable, accountId: string, nameOrId: string): Promise<NamespaceRow | null> {
  const [row] = await db
    .select()
    .from(dispatchNamespaces)
    .where(and(eq(dispatchNamespaces.accountId, accountId), or(eq(dispatchNamespaces.name, nameOrId), eq(dispatchNamespaces.id, nameOrId))))
    .limit(1);
  return row ?? null;
}

export async function getNamespace(db: Queryable, accountId: string, nameOrId: string): Promise<NamespaceRow> {
  const row = await findNamespace(db, accountId, nameOrId);
  if (!row) throw namespaceNotFound(nameOrId);
  return row;
}

export async function createNamespace(db: Queryable, accountId: string, name: string, actor: string, trustedWorkers = false): Promise<NamespaceRow> {
  assertNamespaceName(name);
  const now = Date.now();
  const [row] = await db
    .insert(dispatchNamespaces)
    .values({ id: uuid(), accountId, name, trustedWorkers, createdBy: actor, modifiedBy: actor, createdAt: now, modifiedAt: now })
    .onConflictDoNothing()
    .returning();
  if (!row) throw errors.conflict(100120, `A dispatch namespace named "${name}" already exists in this account.`);
  return row;
}

export async function updateNamespace(
  db: Queryable,
  namespace: NamespaceRow,
  changes: { name?: string; trustedWorkers?: boolean },
  actor: string,
): Promise<NamespaceRow> {
  if (changes.name !== undefined) assertNamespaceName(changes.name);
  if (changes.name !== undefined && changes.name !== namespace.name) {
    const clash = await findNamespace(db, namespace.accountId, changes.name);
    if (clash) throw errors.conflict(100120, `A dispatch namespace named "${changes.name}" already exists in this account.`);
  }
  const [row] = await db
    .update(dispatchNamespaces)
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.trustedWorkers !== undefined ? { trustedWorkers: changes.trustedWorkers } : {}),
      modifiedBy: actor,
      modifiedAt: Date.now(),
    })
    .where(eq(dispatchNamespaces.id, namespace.id))
    .returning();
  return row;
}

/** Deletes a namespace and its scripts, answering the blobs they named, to collect once the deletion is committed. */
export async function deleteNamespace(db: Queryable, namespace: NamespaceRow): Promise<BlobId[]> {
  const ids = await db.select({ id: scripts.id }).from(scripts).where(eq(scripts.namespaceId, namespace.id));
  const blobs = await deleteScriptRows(db, ids.map((row) => row.id));
  await db.delete(dispatchNamespaces).where(eq(dispatchNamespaces.id, namespace.id));
  return blobs;
}

export async function countScripts(db: Queryable, namespaceIds: string[]): Promise<Map<string, number>> {
  if (namespaceIds.length === 0) return new Map();
  const rows = await db
    .select({ namespaceId: scripts.namespaceId, count: count() })
    .from(scripts)
    .where(sql`${scripts.namespaceId} in ${namespaceIds}`)
    .groupBy(scripts.namespaceId);
  return new Map(rows.map((row) => [row.namespaceId, row.count]));
}

export function namespaceJson(row: NamespaceRow, scriptCount: number) {
  return {
    namespace_id: row.id,
    namespace_name: row.name,
    created_on: new Date(row.createdAt).toISOString(),
    created_by: row.createdBy,
    modified_on: new Date(row.modifiedAt).toISOString(),
    modified_by: row.modifiedBy,
    script_count: scriptCount,
    trusted_workers: row.trustedWorkers,
  };
}
