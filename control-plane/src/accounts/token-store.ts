import { and, asc, count, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { sha256Hex, uuid } from '../crypto/hash.ts';
import type { Database, Queryable } from '../db/index.ts';
import { apiTokens } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import type { PageRequest } from '../http/pagination.ts';
import { grantFor, tokenStatus, type Grant } from './token-rules.ts';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

/** Who is asking: the administrator token manages every token; any other only itself and the tokens minted under it. */
export interface TokenViewer {
  tokenId: string;
  isAdmin: boolean;
}

/** `last_used_on` is written at most this often per token, so using a token is not a write per request. */
const lastUsedResolution = 60_000;

/** Registers `token` for `accountId`; only its SHA-256 is stored. Idempotent. */
export async function registerToken(db: Queryable, accountId: string, token: string, name: string, isAdmin = false) {
  const [row] = await db
    .insert(apiTokens)
    .values({ id: uuid(), accountId, tokenHash: sha256Hex(token), name, isAdmin, createdAt: Date.now() })
    .onConflictDoUpdate({ target: apiTokens.tokenHash, set: { isAdmin } })
    .returning();
  return row;
}

export async function findToken(db: Queryable, token: string): Promise<ApiTokenRow | null> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, sha256Hex(token)));
  return row ?? null;
}

export async function noteTokenUse(db: Queryable, row: ApiTokenRow, now: number): Promise<void> {
  if (row.lastUsedAt !== null && now - row.lastUsedAt < lastUsedResolution) return;
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
}

/**
 * Creates a token of `accountId` under `minterId`; its value is returned this once and stored only
 * hashed. The minter is read again in the same write transaction as the insert, so a token being
 * revoked cannot mint a child that outlives the revocation.
 */
export async function mintToken(db: Database, minterId: string, accountId: string, name: string, request: Grant): Promise<{ row: ApiTokenRow; value: string }> {
  return db.transaction(
    async (tx) => {
      const now = Date.now();
      const [minter] = await tx.select().from(apiTokens).where(eq(apiTokens.id, minterId));
      if (!minter || tokenStatus(minter, now) !== 'active') throw errors.unauthenticated('Authentication error: the API token is no longer active.');
      const grant = grantFor(minter, request, now);
      const value = randomBytes(30).toString('base64url');
      const [row] = await tx
        .insert(apiTokens)
        .values({ id: uuid(), accountId, tokenHash: sha256Hex(value), name, createdAt: now, parentId: minter.id, ...grant })
        .returning();
      return { row, value };
    },
    { behavior: 'immediate' },
  );
}

/** The ids of `rootId` and of every token minted under it, directly or not. */
const subtreeOf = (rootId: string): SQL => sql`${apiTokens.id} in (
  with recursive subtree(id) as (
    select ${rootId}
    union
    select child.id from api_tokens child join subtree on child.parent_id = subtree.id
  )
  select id from subtree
)`;

const visibleTo = (viewer: TokenViewer, accountId: string): SQL =>
  viewer.isAdmin ? eq(apiTokens.accountId, accountId) : and(eq(apiTokens.accountId, accountId), subtreeOf(viewer.tokenId))!;

export async function listTokens(db: Queryable, viewer: TokenViewer, accountId: string, page: PageRequest, direction: 'asc' | 'desc') {
  const where = visibleTo(viewer, accountId);
  const order = direction === 'asc' ? [asc(apiTokens.createdAt), asc(apiTokens.id)] : [desc(apiTokens.createdAt), desc(apiTokens.id)];
  const rows = await db
    .select()
    .from(apiTokens)
    .where(where)
    .orderBy(...order)
    .limit(page.perPage)
    .offset(page.offset);
  const [{ total }] = await db.select({ total: count() }).from(apiTokens).where(where);
  return { rows, total };
}

const tokenNotFound = (accountId: string, tokenId: string, viewer: TokenViewer) =>
  errors.notFound(
    7003,
    viewer.isAdmin
      ? `Could not route to /accounts/${accountId}/tokens/${tokenId}: no such token in this account.`
      : `Could not route to /accounts/${accountId}/tokens/${tokenId}: no such token among those this token manages (itself and the tokens minted under it).`,
  );

/**
 * Revokes `tokenId` and every token minted under it, at once and for good. Returns the ids this call
 * revoked: none when the token was revoked already.
 */
export async function revokeToken(db: Database, viewer: TokenViewer, accountId: string, tokenId: string): Promise<string[]> {
  return db.transaction(
    async (tx) => {
      const [target] = await tx
        .select({ id: apiTokens.id })
        .from(apiTokens)
        .where(and(eq(apiTokens.id, tokenId), visibleTo(viewer, accountId)));
      if (!target) throw tokenNotFound(accountId, tokenId, viewer);
      const revoked = await tx
        .update(apiTokens)
        .set({ revokedAt: Date.now() })
        .where(and(subtreeOf(target.id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return revoked.map((row) => row.id);
    },
    { behavior: 'immediate' },
  );
}
