import { Hono } from 'hono';
import { errors } from '../http/api-error.ts';
import { success } from '../http/envelope.ts';
import { readForm } from '../http/multipart.ts';
import { pageInfo, readPage } from '../http/pagination.ts';
import { findDependents } from '../scripts/dependents.ts';
import { publicBinding } from '../scripts/bindings.ts';
import { contentResponse, versionWithNewContent } from '../scripts/script-content.ts';
import { namespacedScript, scriptObject } from '../scripts/script-json.ts';
import {
  assertScriptName,
  deleteScriptRows,
  deleteScriptsByFilter,
  findLiveScript,
  findScript,
  getLiveScript,
  listScripts,
  parseTagFilter,
  type LiveScript,
} from '../scripts/script-store.ts';
import { recentLogs } from '../scripts/script-logs.ts';
import { listStrikes, strikePolicy } from '../scripts/strikes.ts';
import { versionFromUpload } from '../scripts/worker-upload.ts';
import { settleChange } from '../internal/announce.ts';
import { deployVersion } from '../scripts/deploy.ts';
import type { AppEnv } from '../platform.ts';

export const scriptRoutes = new Hono<AppEnv>();

scriptRoutes.get('/', async (c) => {
  const page = readPage(c, { perPage: 100, maxPerPage: 1000 });
  const filter = parseTagFilter(c.req.query('tags'));
  const { total, scripts } = await listScripts(c.var.platform.db, c.var.namespace.id, filter, { offset: page.offset, limit: page.perPage });
  const result = scripts.map((row) => namespacedScript(c.var.namespace, row.script, row.content, row.etag, row.tags));
  return success(c, result, pageInfo(page, result.length, total));
});

scriptRoutes.delete('/', async (c) => {
  const filter = parseTagFilter(c.req.query('tags'));
  const limit = Math.min(Number(c.req.query('limit') ?? 1000) || 1000, 10_000);
  const { deleted, hasMore, blobs } = await deleteScriptsByFilter(c.var.platform.db, c.var.namespace.id, filter, limit);
  await settleChange(c);
  await c.var.platform.blobCollector.collect(blobs);
  return success(c, { deleted: deleted.map((id) => ({ id })), deleted_count: deleted.length, has_more: hasMore });
});

/** The answer to an upload: the Script object plus the new version's id, as wrangler reads it. */
export function uploadResult(live: LiveScript, startupTimeMs: number) {
  return {
    ...scriptObject(live.script, live.content, live.version.etag, live.tags),
    deployment_id: live.version.id.replaceAll('-', ''),
    startup_time_ms: startupTimeMs,
  };
}

scriptRoutes.put('/:script', async (c) => {
  const name = c.req.param('script');
  assertScriptName(name);
  const form = await readForm(c);
  const target = { accountId: c.var.accountId, namespaceId: c.var.namespace.id, scriptName: name, previous: await findLiveScript(c.var.platform.db, c.var.namespace.id, name) };
  const { content, tags, blobs, assetSession } = await versionFromUpload(c.var.platform, target, form);
  const { live, startupTimeMs } = await deployVersion(c, name, content, { tags, blobs, assetSession });
  return success(c, uploadResult(live, startupTimeMs));
});

scriptRoutes.get('/:script', async (c) => {
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  return success(c, namespacedScript(c.var.namespace, live.script, live.content, live.version.etag, live.tags));
});

scriptRoutes.delete('/:script', async (c) => {
  const name = c.req.param('script');
  const { db } = c.var.platform;
  const script = await findScript(db, c.var.namespace.id, name);
  if (!script) throw errors.notFound(10092, `Script "${name}" was not found in this dispatch namespace.`);
  if (c.req.query('force') !== 'true') {
    const dependents = await findDependents(db, c.var.namespace.id, name);
    if (dependents.length > 0) {
      throw errors.conflict(
        10064,
        `Script "${name}" is bound as a service by ${dependents.map((d) => `"${d}"`).join(', ')}; delete with ?force=true to delete it anyway.`,
      );
    }
  }
  const blobs = await db.transaction((tx) => deleteScriptRows(tx, [script.id]), { behavior: 'immediate' });
  await settleChange(c);
  await c.var.platform.blobCollector.collect(blobs);
  return success(c, null);
});

scriptRoutes.get('/:script/content', async (c) => {
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  return contentResponse(c.var.platform, live.content);
});

scriptRoutes.put('/:script/content', async (c) => {
  const name = c.req.param('script');
  const { db } = c.var.platform;
  const previous = await getLiveScript(db, c.var.namespace.id, name);
  const { content, blobs } = await versionWithNewContent(c, previous.content, await readForm(c));
  const { live, startupTimeMs } = await deployVersion(c, name, content, { blobs });
  return success(c, uploadResult(live, startupTimeMs));
});

scriptRoutes.get('/:script/bindings', async (c) => {
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  return success(c, live.content.bindings.map(publicBinding));
});

/** Switchyard's own: what the script printed and threw, newest first (the last 1,000 entries are kept). */
scriptRoutes.get('/:script/logs', async (c) => {
  const limit = Number(c.req.query('limit') ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw errors.badRequest('limit must be a whole number from 1 to 1000.', 10001);
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  const entries = await recentLogs(c.var.platform.db, live.script.id, limit);
  return success(
    c,
    entries.map((entry) => ({
      at: new Date(entry.at).toISOString(),
      level: entry.level,
      message: entry.message,
      outcome: entry.outcome,
      url: entry.url,
      version_id: entry.versionId,
    })),
  );
});

/** Switchyard's own: the times the watchdog stopped this script, and whether it is held back. */
scriptRoutes.get('/:script/strikes', async (c) => {
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  const strikes = await listStrikes(c.var.platform.db, live.script.id);
  const heldUntil = live.script.heldUntil && live.script.heldUntil > Date.now() ? new Date(live.script.heldUntil).toISOString() : null;
  return success(c, {
    strikes: strikes.map((strike) => ({ reason: strike.reason, at: new Date(strike.at).toISOString() })),
    held_until: heldUntil,
    policy: { strikes_to_hold: strikePolicy.strikesToHold, window_seconds: strikePolicy.window / 1000, hold_seconds: strikePolicy.holdFor / 1000 },
  });
});
