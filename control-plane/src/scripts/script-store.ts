import { and, asc, desc, eq, inArray, max, sql, type SQL } from 'drizzle-orm';
import { sha256Hex, uuid } from '../crypto/hash.ts';
import type { Database, Queryable } from '../db/index.ts';
import { scheduleRuns, scriptLogs, scriptSchedules, scriptStrikes, scriptTags, scriptVersions, scripts } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import { assertStorageQuota } from '../accounts/storage-quota.ts';
import { closeSession } from '../assets/asset-sessions.ts';
import type { BlobId } from '../blobs/blob-collector.ts';
import type { VersionContent } from './version-content.ts';
import { forgetScriptBlobs, forgetVersionBlobs, recordVersionBlobs, versionBlobRefs } from './version-blobs.ts';

export type ScriptRow = typeof scripts.$inferSelect;
export type VersionRow = typeof scriptVersions.$inferSelect;

export interface LiveScript {
  script: ScriptRow;
  version: VersionRow;
  content: VersionContent;
  tags: string[];
}

const scriptNamePattern = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;

export function assertScriptName(name: string): void {
  if (!scriptNamePattern.test(name)) {
    throw errors.badRequest(
      `Invalid script name "${name}": use 1 to 63 lowercase letters, digits, "-" or "_", starting and ending with a letter or digit.`,
      10016,
    );
  }
}

export const scriptNotFound = (name: string) => errors.notFound(10092, `Script "${name}" was not found in this dispatch namespace.`);

export async function findScript(db: Queryable, namespaceId: string, name: string): Promise<ScriptRow | null> {
  const [row] = await db.select().from(scripts).where(and(eq(scripts.namespaceId, namespaceId), eq(scripts.name, name)));
  return row ?? null;
}

/** The script with its live version and tags, or null. */
export async function findLiveScript(db: Queryable, namespaceId: string, name: string): Promise<LiveScript | null> {
  const script = await findScript(db, namespaceId, name);
  if (!script) return null;
  const [version] = await db.select().from(scriptVersions).where(eq(scriptVersions.id, script.currentVersionId));
  const tags = await listTags(db, script.id);
  return { script, version, content: JSON.parse(version.content) as VersionContent, tags };
}

/** The script with its live version and tags, or a 404. */
export async function getLiveScript(db: Queryable, namespaceId: string, name: string): Promise<LiveScript> {
  const live = await findLiveScript(db, namespaceId, name);
  if (!live) throw scriptNotFound(name);
  return live;
}

export async function listTags(db: Queryable, scriptId: string): Promise<string[]> {
  const rows = await db.select({ tag: scriptTags.tag }).from(scriptTags).where(eq(scriptTags.scriptId, scriptId)).orderBy(asc(scriptTags.tag));
  return rows.map((row) => row.tag);
}

/**
 * Writes a new version and makes it live, in one transaction: readers see the previous version or
 * this one, never a mix. The blobs it names must already be stored. `assetSession`, the assets
 * upload session whose completion token it deploys, is closed with it: a completion deploys once.
 * With `storageQuota` (bytes), a version that would take the account past it is refused, checked
 * in the same transaction so that concurrent uploads cannot pass it together.
 */
export async function writeVersion(
  db: Database,
  input: {
    accountId: string;
    namespaceId: string;
    name: string;
    content: VersionContent;
    tags?: string[];
    versionId?: string;
    createdAt?: number;
    assetSession?: string;
    storageQuota?: number;
  },
): Promise<LiveScript> {
  return db.transaction(
    async (tx) => {
      const now = input.createdAt ?? Date.now();
      let script = await findScript(tx, input.namespaceId, input.name);
      if (!script) {
        [script] = await tx
          .insert(scripts)
          .values({ id: uuid(), namespaceId: input.namespaceId, name: input.name, currentVersionId: '', createdAt: now, modifiedAt: now })
          .returning();
      }
      const [{ last }] = await tx.select({ last: max(scriptVersions.number) }).from(scriptVersions).where(eq(scriptVersions.scriptId, script.id));
      const text = JSON.stringify(input.content);
      const refs = versionBlobRefs(input.accountId, input.content);
      if (input.storageQuota !== undefined) await assertStorageQuota(tx, input.storageQuota, input.accountId, { blobs: refs, rowBytes: Buffer.byteLength(text) });
      const [version] = await tx
        .insert(scriptVersions)
        .values({ id: input.versionId ?? uuid(), scriptId: script.id, number: (last ?? 0) + 1, createdAt: now, content: text, etag: sha256Hex(text) })
        .returning();
      await recordVersionBlobs(tx, version.id, input.accountId, refs);
      [script] = await tx.update(scripts).set({ currentVersionId: version.id, modifiedAt: now }).where(eq(scripts.id, script.id)).returning();
      if (input.tags) await replaceTags(tx, script.id, input.tags);
      if (input.assetSession) await closeSession(tx, input.assetSession);
      return { script, version, content: input.content, tags: await listTags(tx, script.id) };
    },
    { behavior: 'immediate' },
  );
}

export const maxTagsPerScript = 8;

export function assertTags(tags: string[]): void {
  if (tags.length > maxTagsPerScript) {
    throw errors.badRequest(`A script can have at most ${maxTagsPerScript} tags; ${tags.length} were given.`, 10001);
  }
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > 256 || /[,&]/.test(tag)) {
      throw errors.badRequest(`Invalid tag ${JSON.stringify(tag)}: tags are 1 to 256 characters without "," or "&".`, 10001);
    }
  }
}

export async function replaceTags(db: Queryable, scriptId: string, tags: string[]): Promise<void> {
  assertTags(tags);
  await db.delete(scriptTags).where(eq(scriptTags.scriptId, scriptId));
  const unique = [...new Set(tags)];
  if (unique.length > 0) await db.insert(scriptTags).values(unique.map((tag) => ({ scriptId, tag })));
}

/** Deletes scripts with their versions, answering the blobs those named, to collect once the deletion is committed. */
export async function deleteScriptRows(db: Queryable, scriptIds: string[]): Promise<BlobId[]> {
  const named: BlobId[] = [];
  for (let start = 0; start < scriptIds.length; start += 500) {
    const batch = scriptIds.slice(start, start + 500);
    named.push(...(await forgetScriptBlobs(db, batch)));
    await db.delete(scriptTags).where(inArray(scriptTags.scriptId, batch));
    await db.delete(scriptStrikes).where(inArray(scriptStrikes.scriptId, batch));
    await db.delete(scriptLogs).where(inArray(scriptLogs.scriptId, batch));
    await db.delete(scriptSchedules).where(inArray(scriptSchedules.scriptId, batch));
    await db.delete(scheduleRuns).where(inArray(scheduleRuns.scriptId, batch));
    await db.delete(scriptVersions).where(inArray(scriptVersions.scriptId, batch));
    await db.delete(scripts).where(inArray(scripts.id, batch));
  }
  return named;
}

/** A parsed `tags=a:yes,b:no` filter: scripts must carry every `yes` tag and no `no` tag. */
export interface TagFilter {
  required: string[];
  excluded: string[];
}

export function parseTagFilter(raw: string | undefined): TagFilter {
  const filter: TagFilter = { required: [], excluded: [] };
  if (!raw) return filter;
  for (const term of raw.split(',')) {
    const at = term.lastIndexOf(':');
    const tag = at === -1 ? term : term.slice(0, at);
    const wanted = at === -1 ? 'yes' : term.slice(at + 1);
    if (!tag || (wanted !== 'yes' && wanted !== 'no')) {
      throw errors.badRequest(`Invalid tag filter "${term}": write "tag:yes" or "tag:no", separated by commas.`, 10001);
    }
    (wanted === 'yes' ? filter.required : filter.excluded).push(tag);
  }
  return filter;
}

function filterConditions(namespaceId: string, filter: TagFilter): SQL[] {
  const conditions: SQL[] = [eq(scripts.namespaceId, namespaceId)];
  for (const tag of filter.required) {
    conditions.push(sql`exists (select 1 from ${scriptTags} where ${scriptTags.scriptId} = ${scripts.id} and ${scriptTags.tag} = ${tag})`);
  }
  for (const tag of filter.excluded) {
    conditions.push(sql`not exists (select 1 from ${scriptTags} where ${scriptTags.scriptId} = ${scripts.id} and ${scriptTags.tag} = ${tag})`);
  }
  return conditions;
}

export async function listScripts(db: Queryable, namespaceId: string, filter: TagFilter, page: { offset: number; limit: number }) {
  const where = and(...filterConditions(namespaceId, filter));
  // The page is chosen on the (namespace_id, name) index alone; only its rows are joined to their
  // versions, so a page deep into a large namespace costs about what the first one does.
  const pageNames = db.select({ name: scripts.name }).from(scripts).where(where).orderBy(asc(scripts.name)).limit(page.limit).offset(page.offset);
  const rows = await db
    .select({ script: scripts, content: scriptVersions.content, etag: scriptVersions.etag })
    .from(scripts)
    .innerJoin(scriptVersions, eq(scriptVersions.id, scripts.currentVersionId))
    .where(and(eq(scripts.namespaceId, namespaceId), inArray(scripts.name, pageNames)))
    .orderBy(asc(scripts.name));
  const [{ total }] = await db.select({ total: sql<number>`count(*)` }).from(scripts).where(where);
  const tags = await tagsOf(db, rows.map((row) => row.script.id));
  return {
    total,
    scripts: rows.map((row) => ({ script: row.script, etag: row.etag, content: JSON.parse(row.content) as VersionContent, tags: tags.get(row.script.id) ?? [] })),
  };
}

export async function tagsOf(db: Queryable, scriptIds: string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (scriptIds.length === 0) return result;
  const rows = await db.select().from(scriptTags).where(inArray(scriptTags.scriptId, scriptIds)).orderBy(asc(scriptTags.tag));
  for (const row of rows) result.set(row.scriptId, [...(result.get(row.scriptId) ?? []), row.tag]);
  return result;
}

/** Deletes up to `limit` scripts matching the filter; says whether more remain. */
export async function deleteScriptsByFilter(db: Database, namespaceId: string, filter: TagFilter, limit: number) {
  return db.transaction(
    async (tx) => {
      const rows = await tx
        .select({ id: scripts.id, name: scripts.name })
        .from(scripts)
        .where(and(...filterConditions(namespaceId, filter)))
        .orderBy(asc(scripts.name))
        .limit(limit + 1);
      const doomed = rows.slice(0, limit);
      const blobs = await deleteScriptRows(tx, doomed.map((row) => row.id));
      return { deleted: doomed.map((row) => row.name), hasMore: rows.length > limit, blobs };
    },
    { behavior: 'immediate' },
  );
}

export async function listVersions(db: Queryable, scriptId: string, page: { offset: number; limit: number }) {
  return db
    .select()
    .from(scriptVersions)
    .where(eq(scriptVersions.scriptId, scriptId))
    .orderBy(desc(scriptVersions.number))
    .limit(page.limit)
    .offset(page.offset);
}

/** Makes an earlier (or any) version of the script live again: versions are never rewritten. */
export async function setLiveVersion(db: Database, scriptId: string, versionId: string): Promise<VersionRow | null> {
  return db.transaction(
    async (tx) => {
      const [version] = await tx.select().from(scriptVersions).where(and(eq(scriptVersions.id, versionId), eq(scriptVersions.scriptId, scriptId)));
      if (!version) return null;
      await tx.update(scripts).set({ currentVersionId: version.id, modifiedAt: Date.now() }).where(eq(scripts.id, scriptId));
      return version;
    },
    { behavior: 'immediate' },
  );
}

/**
 * Deletes one version that is not live, answering the blobs it named, to collect once committed;
 * null if the script has no such version.
 */
export async function deleteVersion(db: Database, scriptId: string, versionId: string): Promise<BlobId[] | null> {
  return db.transaction(
    async (tx) => {
      const [script] = await tx.select().from(scripts).where(eq(scripts.id, scriptId));
      const [version] = await tx.select({ id: scriptVersions.id }).from(scriptVersions).where(and(eq(scriptVersions.id, versionId), eq(scriptVersions.scriptId, scriptId)));
      if (!script || !version) return null;
      if (script.currentVersionId === versionId) {
        throw errors.conflict(10063, `Version "${versionId}" is the live version of "${script.name}": deploy another version first (POST …/deployments), or delete the script.`);
      }
      const blobs = await forgetVersionBlobs(tx, [versionId]);
      await tx.delete(scriptVersions).where(eq(scriptVersions.id, versionId));
      return blobs;
    },
    { behavior: 'immediate' },
  );
}
