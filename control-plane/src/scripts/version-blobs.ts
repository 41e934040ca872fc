import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { assetBlobKey } from '../assets/asset-hash.ts';
import { assetKeysOfOpenSessions, openSessionListsAsset } from '../assets/session-assets.ts';
import type { BlobId, BlobReferences } from '../blobs/blob-collector.ts';
import type { BlobRef } from '../blobs/blob-store.ts';
import type { Queryable } from '../db/index.ts';
import { scriptVersions, versionBlobs } from '../db/schema.ts';
import type { VersionContent } from './version-content.ts';

/** The blobs a version names, each once: its modules, and its assets under the account's keys. */
export function versionBlobRefs(accountId: string, content: Pick<VersionContent, 'modules' | 'assets'>): BlobRef[] {
  const refs = new Map<string, BlobRef>();
  for (const module of content.modules) refs.set(`modules/${module.blob}`, { kind: 'modules', key: module.blob, size: module.size });
  for (const entry of Object.values(content.assets?.manifest ?? {})) {
    const key = assetBlobKey(accountId, entry.hash);
    refs.set(`assets/${key}`, { kind: 'assets', key, size: entry.size });
  }
  return [...refs.values()];
}

const rowsPerInsert = 500;

/** Records which blobs a new version names; written in the transaction that writes the version. */
export async function recordVersionBlobs(db: Queryable, versionId: string, accountId: string, refs: BlobRef[]): Promise<void> {
  for (let start = 0; start < refs.length; start += rowsPerInsert) {
    await db.insert(versionBlobs).values(refs.slice(start, start + rowsPerInsert).map((ref) => ({ versionId, accountId, ...ref })));
  }
}

/** Forgets the blobs of versions being deleted, answering them so they can be collected once the deletion is committed. */
export async function forgetVersionBlobs(db: Queryable, versionIds: string[] | SQL): Promise<BlobId[]> {
  const ofVersions = inArray(versionBlobs.versionId, versionIds);
  const named = await db.selectDistinct({ kind: versionBlobs.kind, key: versionBlobs.key }).from(versionBlobs).where(ofVersions);
  await db.delete(versionBlobs).where(ofVersions);
  return named;
}

/** Forgets the blobs of every version of the scripts being deleted (see `forgetVersionBlobs`). */
export function forgetScriptBlobs(db: Queryable, scriptIds: string[]): Promise<BlobId[]> {
  return forgetVersionBlobs(db, sql`(select ${scriptVersions.id} from ${scriptVersions} where ${inArray(scriptVersions.scriptId, scriptIds)})`);
}

/** What names blobs, as the blob collector asks: version rows, and the asset upload sessions still open. */
export function versionBlobReferences(db: Queryable): BlobReferences {
  return {
    async isReferenced({ kind, key }) {
      const [named] = await db.select({ key: versionBlobs.key }).from(versionBlobs).where(and(eq(versionBlobs.kind, kind), eq(versionBlobs.key, key))).limit(1);
      return named !== undefined || (kind === 'assets' && (await openSessionListsAsset(db, key)));
    },
    async referencedKeys(kind) {
      const rows = await db.selectDistinct({ key: versionBlobs.key }).from(versionBlobs).where(eq(versionBlobs.kind, kind));
      const keys = new Set(rows.map((row) => row.key));
      if (kind === 'assets') for (const key of (await assetKeysOfOpenSessions(db)).keys()) keys.add(key);
      return keys;
    },
  };
}
