import { lte, sql } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { assetUploadSessions } from '../db/schema.ts';

/**
 * The assets of upload sessions that have not been deployed yet: blob collection keeps them and the
 * storage quota counts them.
 */

/** How long an upload token, and then a completion token, lasts. */
export const sessionTtlSeconds = 3600;

/**
 * A session's assets are kept, named or not, until its completion token can no longer be used:
 * the token is issued at the latest when the session expires and lasts as long again.
 */
const keptUntil = sql`${assetUploadSessions.expiresAt} + ${sessionTtlSeconds * 1000}`;

/** Store keys (and declared sizes) of the assets listed by sessions whose uploads may still be deployed. */
export async function assetKeysOfOpenSessions(db: Queryable, accountId?: string): Promise<Map<string, number>> {
  const rows = await db.all<{ blobKey: string; size: number }>(sql`
    select ${assetUploadSessions.accountId} || json_extract(entry.value, '$.hash') as blobKey, max(json_extract(entry.value, '$.size')) as size
    from ${assetUploadSessions}, json_each(${assetUploadSessions.manifest}) as entry
    where ${keptUntil} > ${Date.now()} ${accountId === undefined ? sql`` : sql`and ${assetUploadSessions.accountId} = ${accountId}`}
    group by blobKey`);
  return new Map(rows.map((row) => [row.blobKey, row.size]));
}

/** Whether a session whose uploads may still be deployed lists the asset stored under `key`. */
export async function openSessionListsAsset(db: Queryable, key: string): Promise<boolean> {
  const [accountId, hash] = [key.slice(0, 32), key.slice(32)];
  const rows = await db.all(sql`
    select 1 from ${assetUploadSessions}, json_each(${assetUploadSessions.manifest}) as entry
    where ${assetUploadSessions.accountId} = ${accountId} and ${keptUntil} > ${Date.now()} and json_extract(entry.value, '$.hash') = ${hash}
    limit 1`);
  return rows.length > 0;
}

/** Deletes sessions whose completion tokens have all expired. */
export async function pruneClosedSessions(db: Queryable): Promise<void> {
  await db.delete(assetUploadSessions).where(lte(keptUntil, Date.now()));
}
