import { eq, sql } from 'drizzle-orm';
import { ApiError } from '../http/api-error.ts';
import type { BlobRef } from '../blobs/blob-store.ts';
import type { Queryable } from '../db/index.ts';
import { dispatchNamespaces, scriptVersions, scripts, versionBlobs } from '../db/schema.ts';
import { assetKeysOfOpenSessions } from '../assets/session-assets.ts';

/**
 * What an account stores, as its quota counts it: every distinct blob its versions name (modules,
 * source maps, assets; a blob named by many versions counts once), the assets of its upload
 * sessions not yet deployed, and its version rows (settings and bindings). KV is not counted.
 */
export interface StoredBytes {
  blobs: BlobRef[];
  rowBytes: number;
}

/** What a write adds: the blobs its version names (some perhaps stored already) and its row. */
export type Growth = StoredBytes;

/** Bytes of distinct blobs: a blob listed twice, or by several versions, counts once. */
export function distinctBytes(blobs: Iterable<BlobRef>): number {
  const sizes = new Map<string, number>();
  for (const blob of blobs) {
    const id = `${blob.kind}/${blob.key}`;
    sizes.set(id, Math.max(sizes.get(id) ?? 0, blob.size));
  }
  let total = 0;
  for (const size of sizes.values()) total += size;
  return total;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** The refusal of a write that would take an account past its quota, or null if it fits. */
export function quotaRefusal(quotaBytes: number, stored: StoredBytes, growth: Growth): ApiError | null {
  const usage = distinctBytes(stored.blobs) + stored.rowBytes;
  const after = distinctBytes([...stored.blobs, ...growth.blobs]) + stored.rowBytes + growth.rowBytes;
  if (after <= quotaBytes || after <= usage) return null;
  return new ApiError(
    413,
    10029,
    `This account stores ${formatBytes(usage)} of its ${formatBytes(quotaBytes)} storage quota, and this upload would add ${formatBytes(after - usage)}. ` +
      'Delete scripts (DELETE …/scripts/:name) or versions (DELETE …/scripts/:name/versions/:id) you no longer need, or ask the platform operator for a larger quota.',
  );
}

/** What the account stores now (see `StoredBytes`). */
export async function storedBytes(db: Queryable, accountId: string): Promise<StoredBytes> {
  const blobs: BlobRef[] = await db
    .select({ kind: versionBlobs.kind, key: versionBlobs.key, size: sql<number>`max(${versionBlobs.size})` })
    .from(versionBlobs)
    .where(eq(versionBlobs.accountId, accountId))
    .groupBy(versionBlobs.kind, versionBlobs.key);
  for (const [key, size] of await assetKeysOfOpenSessions(db, accountId)) blobs.push({ kind: 'assets', key, size });
  const [{ rowBytes }] = await db
    .select({ rowBytes: sql<number>`coalesce(sum(length(cast(${scriptVersions.content} as blob))), 0)` })
    .from(scriptVersions)
    .innerJoin(scripts, eq(scripts.id, scriptVersions.scriptId))
    .innerJoin(dispatchNamespaces, eq(dispatchNamespaces.id, scripts.namespaceId))
    .where(eq(dispatchNamespaces.accountId, accountId));
  return { blobs, rowBytes };
}

/** Refuses (413, code 10029) a write that would take the account past its storage quota. */
export async function assertStorageQuota(db: Queryable, quotaBytes: number, accountId: string, growth: Growth): Promise<void> {
  const refusal = quotaRefusal(quotaBytes, await storedBytes(db, accountId), growth);
  if (refusal) throw refusal;
}
