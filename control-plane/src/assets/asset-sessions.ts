import { eq } from 'drizzle-orm';
import { assertStorageQuota } from '../accounts/storage-quota.ts';
import type { BlobRef, BlobStore } from '../blobs/blob-store.ts';
import { uuid } from '../crypto/hash.ts';
import type { TokenSigner } from '../crypto/signed-token.ts';
import type { Database, Queryable } from '../db/index.ts';
import { assetUploadSessions } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import type { AssetsManifestEntry } from '../scripts/version-content.ts';
import { assetBlobKey, isAssetHash } from './asset-hash.ts';
import { sessionTtlSeconds } from './session-assets.ts';

export const maxAssetFiles = 20_000;
export const maxAssetBytes = 25 * 1024 * 1024;
const bucketMaxFiles = 50;
const bucketMaxBytes = 40 * 1024 * 1024;

export type AssetManifest = Record<string, AssetsManifestEntry>;
type SessionRow = typeof assetUploadSessions.$inferSelect;

export function validateManifest(raw: unknown): AssetManifest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw errors.badRequest('The body needs a "manifest" object mapping each asset path to { "hash", "size" }.', 10001);
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > maxAssetFiles) throw errors.badRequest(`A manifest may list at most ${maxAssetFiles} assets; it lists ${entries.length}.`, 10001);
  const manifest: AssetManifest = {};
  for (const [path, value] of entries) {
    const entry = value as Partial<AssetsManifestEntry> | null;
    if (!path.startsWith('/') || path.includes('\0')) throw errors.badRequest(`Asset path ${JSON.stringify(path)} must start with "/".`, 10001);
    if (!entry || !isAssetHash(entry.hash)) throw errors.badRequest(`Asset ${path}: "hash" must be 32 lowercase hex characters.`, 10001);
    if (!Number.isInteger(entry.size) || entry.size! < 0 || entry.size! > maxAssetBytes) {
      throw errors.badRequest(`Asset ${path}: "size" must be a whole number of bytes up to ${maxAssetBytes}.`, 10001);
    }
    manifest[path] = { hash: entry.hash, size: entry.size! };
  }
  return manifest;
}

/**
 * Starts an upload session: answers the hashes the account has not stored yet, grouped in
 * buckets, and a token to upload them with. If nothing is missing the token is already the
 * completion token. The session's assets count toward the account's storage quota from now on.
 */
export async function createSession(
  platform: { db: Database; blobs: BlobStore; signer: TokenSigner; storageQuotaBytes: number },
  owner: { accountId: string; namespaceId: string; scriptName: string },
  manifest: AssetManifest,
) {
  const now = Date.now();
  const session = {
    id: uuid(),
    ...owner,
    manifest: JSON.stringify(manifest),
    createdAt: now,
    expiresAt: now + sessionTtlSeconds * 1000,
  };
  const assets = Object.values(manifest).map((entry): BlobRef => ({ kind: 'assets', key: assetBlobKey(owner.accountId, entry.hash), size: entry.size }));
  await platform.db.transaction(
    async (tx) => {
      await assertStorageQuota(tx, platform.storageQuotaBytes, owner.accountId, { blobs: assets, rowBytes: 0 });
      await tx.insert(assetUploadSessions).values(session);
    },
    { behavior: 'immediate' },
  );
  const missing = await missingHashes(platform.blobs, owner.accountId, manifest);
  if (missing.length === 0) return { jwt: completionToken(platform.signer, session.id), buckets: [] as string[][] };
  return { jwt: platform.signer.sign({ typ: 'assets-upload', sid: session.id }, sessionTtlSeconds), buckets: toBuckets(missing, manifest) };
}

export async function missingHashes(blobs: BlobStore, accountId: string, manifest: AssetManifest): Promise<string[]> {
  const unique = [...new Set(Object.values(manifest).map((entry) => entry.hash))];
  const present = await Promise.all(unique.map((hash) => blobs.has('assets', assetBlobKey(accountId, hash))));
  return unique.filter((_, index) => !present[index]);
}

function toBuckets(hashes: string[], manifest: AssetManifest): string[][] {
  const sizeOf = new Map(Object.values(manifest).map((entry) => [entry.hash, entry.size]));
  const buckets: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const hash of hashes) {
    const size = sizeOf.get(hash) ?? 0;
    if (current.length > 0 && (current.length >= bucketMaxFiles || bytes + size > bucketMaxBytes)) {
      buckets.push(current);
      current = [];
      bytes = 0;
    }
    current.push(hash);
    bytes += size;
  }
  if (current.length > 0) buckets.push(current);
  return buckets;
}

export const completionToken = (signer: TokenSigner, sessionId: string) => signer.sign({ typ: 'assets-complete', sid: sessionId }, sessionTtlSeconds);

/** The session a token of type `typ` names, if the token is genuine and unexpired. */
export async function sessionFromToken(db: Queryable, signer: TokenSigner, token: string, typ: 'assets-upload' | 'assets-complete'): Promise<SessionRow | null> {
  const claims = signer.verify(token);
  if (!claims || claims.typ !== typ || typeof claims.sid !== 'string') return null;
  const [row] = await db.select().from(assetUploadSessions).where(eq(assetUploadSessions.id, claims.sid));
  return row ?? null;
}

export function sessionManifest(row: SessionRow): AssetManifest {
  return JSON.parse(row.manifest) as AssetManifest;
}

export async function closeSession(db: Queryable, sessionId: string): Promise<void> {
  await db.delete(assetUploadSessions).where(eq(assetUploadSessions.id, sessionId));
}
