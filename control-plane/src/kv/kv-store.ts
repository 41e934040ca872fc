import { and, asc, eq, gt, gte, inArray, isNull, or, sql } from 'drizzle-orm';
import { randomHexId } from '../crypto/hash.ts';
import type { Database, Queryable } from '../db/index.ts';
import { kvEntries, kvNamespaces } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';

export type KvNamespaceRow = typeof kvNamespaces.$inferSelect;

export const kvLimits = {
  keyBytes: 512,
  valueBytes: 25 * 1024 * 1024,
  metadataBytes: 1024,
  minTtlSeconds: 60,
  maxListLimit: 1000,
};

const nowSeconds = () => Math.floor(Date.now() / 1000);
const live = () => or(isNull(kvEntries.expiration), gt(kvEntries.expiration, nowSeconds()));

export const kvNamespaceJson = (row: KvNamespaceRow) => ({ id: row.id, title: row.title, supports_url_encoding: true });

export const kvNamespaceNotFound = (id: string) => errors.notFound(10013, `KV namespace "${id}" was not found in this account.`);

export async function getKvNamespace(db: Queryable, accountId: string, id: string): Promise<KvNamespaceRow> {
  const [row] = await db.select().from(kvNamespaces).where(and(eq(kvNamespaces.accountId, accountId), eq(kvNamespaces.id, id)));
  if (!row) throw kvNamespaceNotFound(id);
  return row;
}

function assertTitle(title: unknown): asserts title is string {
  if (typeof title !== 'string' || title.trim().length === 0 || title.length > 512) {
    throw errors.badRequest('A KV namespace needs a "title" of 1 to 512 characters.', 10019);
  }
}

export async function createKvNamespace(db: Queryable, accountId: string, title: unknown): Promise<KvNamespaceRow> {
  assertTitle(title);
  const [row] = await db.insert(kvNamespaces).values({ id: randomHexId(), accountId, title, createdAt: Date.now() }).onConflictDoNothing().returning();
  if (!row) throw errors.badRequest(`A KV namespace titled "${title}" already exists in this account.`, 10014);
  return row;
}

export async function renameKvNamespace(db: Queryable, row: KvNamespaceRow, title: unknown): Promise<KvNamespaceRow> {
  assertTitle(title);
  const [clash] = await db.select().from(kvNamespaces).where(and(eq(kvNamespaces.accountId, row.accountId), eq(kvNamespaces.title, title)));
  if (clash && clash.id !== row.id) throw errors.badRequest(`A KV namespace titled "${title}" already exists in this account.`, 10014);
  const [updated] = await db.update(kvNamespaces).set({ title }).where(eq(kvNamespaces.id, row.id)).returning();
  return updated;
}

export async function deleteKvNamespace(db: Database, row: KvNamespaceRow): Promise<void> {
  await db.transaction(
    async (tx) => {
      await tx.delete(kvEntries).where(eq(kvEntries.namespaceId, row.id));
      await tx.delete(kvNamespaces).where(eq(kvNamespaces.id, row.id));
    },
    { behavior: 'immediate' },
  );
}

export function assertKey(key: string): void {
  const bytes = Buffer.byteLength(key);
  if (bytes === 0 || bytes > kvLimits.keyBytes) throw errors.badRequest(`KV keys must be 1 to ${kvLimits.keyBytes} bytes long; this one is ${bytes}.`, 10019);
  if (key === '.' || key === '..') throw errors.badRequest('"." and ".." cannot be used as KV keys.', 10019);
  // SQLite text ends at a NUL: such a key would be listed cut short, as another key.
  if (key.includes('\u0000')) throw errors.badRequest('KV keys cannot contain the NUL character (U+0000).', 10019);
}

export interface KvWrite {
  key: string;
  value: Uint8Array;
  metadata?: unknown;
  expiration?: number;
  expirationTtl?: number;
}

/** Checks a write and turns its expiration options into an absolute expiration (seconds). */
export function prepareWrite(write: KvWrite) {
  assertKey(write.key);
  if (write.value.byteLength > kvLimits.valueBytes) {
    throw errors.tooLarge(10011, `The value of "${write.key}" is ${write.value.byteLength} bytes; KV values can be at most 25 MiB.`);
  }
  let metadata: string | null = null;
  if (write.metadata !== undefined && write.metadata !== null) {
    metadata = JSON.stringify(write.metadata);
    if (Buffer.byteLength(metadata) > kvLimits.metadataBytes) {
      throw errors.badRequest(`The metadata of "${write.key}" is larger than ${kvLimits.metadataBytes} bytes once serialized.`, 10023);
    }
  }
  let expiration: number | null = null;
  if (write.expirationTtl !== undefined) {
    if (!Number.isInteger(write.expirationTtl) || write.expirationTtl < kvLimits.minTtlSeconds) {
      throw errors.badRequest(`expiration_ttl must be a whole number of seconds, at least ${kvLimits.minTtlSeconds}.`, 10010);
    }
    expiration = nowSeconds() + write.expirationTtl;
  } else if (write.expiration !== undefined) {
    if (!Number.isInteger(write.expiration) || write.expiration < nowSeconds() + kvLimits.minTtlSeconds) {
      throw errors.badRequest(`expiration must be a time in seconds since the epoch at least ${kvLimits.minTtlSeconds} seconds from now.`, 10010);
    }
    expiration = write.expiration;
  }
  return { key: write.key, value: Buffer.from(write.value), metadata, expiration };
}

export async function putEntries(db: Database, namespaceId: string, writes: KvWrite[]): Promise<void> {
  const rows = writes.map((write) => ({ namespaceId, ...prepareWrite(write) }));
  if (rows.length === 0) return;
  await db.transaction(
    async (tx) => {
      for (let start = 0; start < rows.length; start += 200) {
        await tx
          .insert(kvEntries)
          .values(rows.slice(start, start + 200))
          .onConflictDoUpdate({
            target: [kvEntries.namespaceId, kvEntries.key],
            set: { value: sql`excluded.value`, metadata: sql`excluded.metadata`, expiration: sql`excluded.expiration` },
          });
      }
    },
    { behavior: 'immediate' },
  );
}

export async function getEntry(db: Queryable, namespaceId: string, key: string) {
  const [row] = await db.select().from(kvEntries).where(and(eq(kvEntries.namespaceId, namespaceId), eq(kvEntries.key, key), live()));
  return row ?? null;
}

export async function getEntries(db: Queryable, namespaceId: string, keys: string[]) {
  if (keys.length === 0) return [];
  return db.select().from(kvEntries).where(and(eq(kvEntries.namespaceId, namespaceId), inArray(kvEntries.key, keys), live()));
}

export async function deleteEntries(db: Queryable, namespaceId: string, keys: string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 500) {
    await db.delete(kvEntries).where(and(eq(kvEntries.namespaceId, namespaceId), inArray(kvEntries.key, keys.slice(start, start + 500))));
  }
}

/** Lists keys in order, from after the cursor's key; the cursor is opaque to callers. */
export async function listKeys(db: Queryable, namespaceId: string, options: { prefix?: string; limit?: number; cursor?: string }) {
  const limit = options.limit ?? kvLimits.maxListLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > kvLimits.maxListLimit) {
    throw errors.badRequest(`limit must be a whole number from 1 to ${kvLimits.maxListLimit}.`, 10019);
  }
  const prefix = options.prefix ?? '';
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const conditions = [eq(kvEntries.namespaceId, namespaceId), live()];
  if (prefix) conditions.push(gte(kvEntries.key, prefix), sql`substr(${kvEntries.key}, 1, length(${prefix})) = ${prefix}`);
  if (after !== null) conditions.push(gt(kvEntries.key, after));
  const rows = await db
    .select({ key: kvEntries.key, metadata: kvEntries.metadata, expiration: kvEntries.expiration })
    .from(kvEntries)
    .where(and(...conditions))
    .orderBy(asc(kvEntries.key))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const complete = rows.length <= limit;
  return {
    keys: page.map((row) => ({
      name: row.key,
      ...(row.expiration !== null ? { expiration: row.expiration } : {}),
      ...(row.metadata !== null ? { metadata: JSON.parse(row.metadata) as unknown } : {}),
    })),
    cursor: complete ? '' : encodeCursor(page[page.length - 1].key),
  };
}

const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(key) !== cursor) throw errors.badRequest('The cursor is not one returned by a previous listing.', 10019);
  return key;
}
