import { eq, lte, sql } from 'drizzle-orm';
import type { BlobStore } from '../blobs/blob-store.ts';
import { uuid } from '../crypto/hash.ts';
import type { TokenSigner } from '../crypto/signed-token.ts';
import type { Queryable } from '../db/index.ts';
import { assetUploadSessions } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import type { AssetsManifestEntry } from '../scripts/version-content.ts';
import { assetBlobKey, isAssetHash } from './asset-hash.ts';

export const maxAssetFiles = 20_000;
export const maxAssetBytes = 25 * 1024 * 1024;
const sessionTtlSeconds = 3600;
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
 * completion token.
 */
export async function createSession(
  platform: { db: Queryable; blobs: BlobStore; signer: TokenSigner },
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
  await platform.db.insert(assetUploadSessions).values(session);
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

/**
 * A session's assets are kept, named or not, until its completion token can no longer be used:
 * the token is issued at the latest when the session expires and lasts as long again.
 */
const keptUntil = sql`${assetUploadSessions.expiresAt} + ${sessionTtlSeconds * 1000}`;

/** Store keys of the assets listed by sessions whose uploads may still be deployed. */
export async function assetKeysOfOpenSessions(db: Queryable, accountId?: string): Promise<Set<string>> {
  const rows = await db.all<{ key: string }>(sql`
    select distinct ${assetUploadSessions.accountId} || json_extract(entry.value, '$.hash') as key
    from ${assetUploadSessions}, json_each(${assetUploadSessions.manifest}) as entry
    where ${keptUntil} > ${Date.now()} ${accountId === undefined ? sql`` : sql`and ${assetUploadSessions.accountId} = ${accountId}`}`);
  return new Set(rows.map((row) => row.key));
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

export async function closeSession(db: Queryable, sessionId: string): Promise<void> {
  await db.delete(assetUploadSessions).where(eq(assetUploadSessions.id, sessionId));
}

/** Deletes sessions whose completion tokens have all expired. */
export async function pruneClosedSessions(db: Queryable): Promise<void> {
  await db.delete(assetUploadSessions).where(lte(keptUntil, Date.now()));
}
