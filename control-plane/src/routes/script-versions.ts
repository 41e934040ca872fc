import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { scriptVersions } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import { success } from '../http/envelope.ts';
import { readPage } from '../http/pagination.ts';
import { readJson, validate } from '../http/validation.ts';
import { settleChange } from '../internal/announce.ts';
import { publicBinding } from '../scripts/bindings.ts';
import { deleteVersion, getLiveScript, listVersions, setLiveVersion, type VersionRow } from '../scripts/script-store.ts';
import type { VersionContent } from '../scripts/version-content.ts';
import type { AppEnv } from '../platform.ts';

/**
 * Every upload is an immutable version. Switchyard lists them, shows one, and deploys any of them
 * again (a rollback) with the body Cloudflare's Worker deployments take: one version at 100 %.
 */
export const versionRoutes = new Hono<AppEnv>();

const versionJson = (version: VersionRow, liveId: string) => ({
  id: version.id,
  number: version.number,
  created_on: new Date(version.createdAt).toISOString(),
  etag: version.etag,
  live: version.id === liveId,
});

versionRoutes.get('/:script/versions', async (c) => {
  const page = readPage(c, { perPage: 20, maxPerPage: 100 });
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  const versions = await listVersions(c.var.platform.db, live.script.id, { offset: page.offset, limit: page.perPage });
  const result = versions.map((version) => versionJson(version, live.script.currentVersionId));
  return success(c, result, { page: page.page, per_page: page.perPage, count: result.length });
});

versionRoutes.get('/:script/versions/:version', async (c) => {
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  const [version] = await c.var.platform.db
    .select()
    .from(scriptVersions)
    .where(and(eq(scriptVersions.id, c.req.param('version')), eq(scriptVersions.scriptId, live.script.id)));
  if (!version) throw errors.notFound(10092, `Script "${live.script.name}" has no version "${c.req.param('version')}".`);
  const content = JSON.parse(version.content) as VersionContent;
  return success(c, {
    ...versionJson(version, live.script.currentVersionId),
    main_module: content.mainModule,
    modules: content.modules.map((module) => ({ name: module.name, content_type: module.contentType, size: module.size })),
    bindings: content.bindings.map(publicBinding),
    compatibility_date: content.compatibilityDate,
    compatibility_flags: content.compatibilityFlags,
    has_assets: content.assets !== null,
  });
});

/** Switchyard's own: deletes a version that is not live, and the blobs only it named. */
versionRoutes.delete('/:script/versions/:version', async (c) => {
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  const blobs = await deleteVersion(c.var.platform.db, live.script.id, c.req.param('version'));
  if (!blobs) throw errors.notFound(10092, `Script "${live.script.name}" has no version "${c.req.param('version')}".`);
  await c.var.platform.blobCollector.collect(blobs);
  return success(c, null);
});

const deploymentBody = z.object({
  strategy: z.literal('percentage').default('percentage'),
  versions: z.array(z.object({ version_id: z.string(), percentage: z.number() })).min(1),
});

versionRoutes.post('/:script/deployments', async (c) => {
  const body = validate(deploymentBody, await readJson(c), 'deployment');
  if (body.versions.length !== 1 || body.versions[0].percentage !== 100) {
    throw errors.badRequest('Switchyard deploys one version at 100 %; gradual deployments across versions are not supported yet.', 10001);
  }
  const live = await getLiveScript(c.var.platform.db, c.var.namespace.id, c.req.param('script'));
  const version = await setLiveVersion(c.var.platform.db, live.script.id, body.versions[0].version_id);
  if (!version) throw errors.notFound(10092, `Script "${live.script.name}" has no version "${body.versions[0].version_id}".`);
  await settleChange(c);
  return success(c, {
    id: crypto.randomUUID(),
    source: 'api',
    strategy: 'percentage',
    created_on: new Date().toISOString(),
    versions: [{ version_id: version.id, percentage: 100 }],
  });
});
