import type { Context } from 'hono';
import type { BlobKind, BlobRef } from '../blobs/blob-store.ts';
import { uuid } from '../crypto/hash.ts';
import { assertStorageQuota } from '../accounts/storage-quota.ts';
import { errors } from '../http/api-error.ts';
import { settleChange } from '../internal/announce.ts';
import type { AppEnv, Platform } from '../platform.ts';
import { assertStarts } from './compile-check.ts';
import { writeVersion, type LiveScript } from './script-store.ts';
import { versionBlobRefs } from './version-blobs.ts';
import type { VersionContent } from './version-content.ts';

/** Bytes an upload brings, stored only when its version is deployed. */
export interface UploadedBlob {
  kind: BlobKind;
  key: string;
  bytes: Uint8Array;
}

/**
 * Makes `content` the live version of script `name` of the request's namespace: its new blobs
 * stored, checked and warmed on the nodes under its final id, stored in one transaction, and
 * applied by every connected node before the caller acknowledges it. It is refused first if it
 * would take the account past its storage quota. The blobs it names are held against collection
 * throughout; if it is refused, those nothing else names are removed again.
 */
export async function deployVersion(
  c: Context<AppEnv>,
  name: string,
  content: VersionContent,
  options: { tags?: string[]; blobs?: UploadedBlob[]; assetSession?: string } = {},
): Promise<{ live: LiveScript; startupTimeMs: number }> {
  const { platform, namespace, accountId } = c.var;
  const refs = versionBlobRefs(accountId, content);
  const storageQuota = platform.storageQuotaBytes;
  await assertStorageQuota(platform.db, storageQuota, accountId, { blobs: refs, rowBytes: Buffer.byteLength(JSON.stringify(content)) });
  return platform.blobCollector.holding(refs, async () => {
    for (const blob of options.blobs ?? []) await platform.blobs.put(blob.kind, blob.key, blob.bytes);
    await assertBlobsPresent(platform, refs);
    const versionId = uuid();
    const createdAt = Date.now();
    const { startupTimeMs } = await assertStarts(platform, content, { versionId, createdAt, accountId, namespaceId: namespace.id, namespace: namespace.name, script: name });
    const live = await writeVersion(platform.db, {
      accountId,
      namespaceId: namespace.id,
      name,
      content,
      tags: options.tags,
      versionId,
      createdAt,
      assetSession: options.assetSession,
      storageQuota,
    });
    await settleChange(c);
    return { live, startupTimeMs };
  });
}

/** A reused blob (a kept module or asset) may have been collected after its last version was deleted meanwhile. */
async function assertBlobsPresent(platform: Platform, refs: BlobRef[]): Promise<void> {
  const present = await Promise.all(refs.map((ref) => platform.blobs.has(ref.kind, ref.key)));
  const missing = refs.filter((_, index) => !present[index]);
  if (missing.length > 0) {
    throw errors.conflict(10065, `${missing.length} of the files this version reuses were deleted meanwhile (with the versions that named them): upload the script and its assets again.`);
  }
}
