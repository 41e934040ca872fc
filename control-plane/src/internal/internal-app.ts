import { timingSafeEqual } from 'node:crypto';
import {
  headers,
  logBatchSchema,
  parseJsonMessage,
  ProtocolError,
  readApiPaths,
  refusalBody,
  refusalCodes,
  strikeReportSchema,
  warmUpVerdictSchema,
  invocationReportSchema,
  type EgressRules,
  type Hold,
  type KvKeyList,
  type ScriptState,
} from '@switchyard/protocol';
import { Hono, type Context } from 'hono';
import { assetBlobKey } from '../assets/asset-hash.ts';
import { ApiError } from '../http/api-error.ts';
import { success } from '../http/envelope.ts';
import { deleteEntries, getEntry, listKeys, putEntries } from '../kv/kv-store.ts';
import { egressRulesOf } from '../namespaces/egress-rules.ts';
import { findNamespace } from '../namespaces/namespace-store.ts';
import type { Platform } from '../platform.ts';
import { appendLogs } from '../scripts/script-logs.ts';
import { findLiveScript } from '../scripts/script-store.ts';
import { activeHolds, recordStrike } from '../scripts/strikes.ts';
import { loadWorkerCode } from './worker-code.ts';

/** Longest a node's poll may wait for news. */
const maxWaitMs = 30_000;

function waitOf(c: Context): number {
  const wait = Number(c.req.query('wait') ?? 0);
  return Number.isFinite(wait) ? Math.max(0, Math.min(maxWaitMs, wait)) : 0;
}

function nodeOf(c: Context): string {
  const node = c.req.query('node');
  if (!node) throw new ProtocolError(refusalCodes.malformedMessage, 'A poll must name its node (?node=).');
  return node;
}

/**
 * The read API nodes serve from: scripts, versions, egress rules, assets, KV, logs, strikes, the
 * change feed and warm-up jobs. It answers only the node token (`SWITCHYARD_NODE_TOKEN`), and
 * parses every message a node sends with its schema from packages/protocol.
 */
export function createInternalApp(platform: Platform, nodeToken: string) {
  const app = new Hono();
  const expected = Buffer.from(`Bearer ${nodeToken}`);

  app.use('*', async (c, next) => {
    const given = Buffer.from(c.req.header('authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProtocolError(refusalCodes.unauthorized, 'The internal API answers data plane nodes only: send "Authorization: Bearer <SWITCHYARD_NODE_TOKEN>".', 401);
    }
    await next();
  });

  app.get('/platform', (c) => c.json({ defaultAccountId: platform.defaultAccountId }));

  app.get('/accounts/:accountId/namespaces/:namespace/scripts/:script', async (c) => {
    const namespace = await findNamespace(platform.db, c.req.param('accountId'), c.req.param('namespace'));
    const live = namespace ? await findLiveScript(platform.db, namespace.id, c.req.param('script')) : null;
    if (!live) return c.json({ found: false }, 404);
    const heldUntil = live.script.heldUntil && live.script.heldUntil > Date.now() ? live.script.heldUntil : null;
    return c.json({ versionId: live.script.currentVersionId, cpuMs: live.content.limits.cpu_ms ?? null, subrequests: live.content.limits.subrequests ?? null, heldUntil } satisfies ScriptState);
  });

  app.get('/accounts/:accountId/namespaces/:namespace/egress', async (c) => {
    const namespace = await findNamespace(platform.db, c.req.param('accountId'), c.req.param('namespace'));
    return c.json((namespace ? egressRulesOf(namespace) : { allow: [], deny: [] }) satisfies EgressRules);
  });

  app.get('/versions/:versionId', async (c) => {
    const code = await loadWorkerCode(platform, c.req.param('versionId'));
    return code ? c.json(code) : c.json({ found: false }, 404);
  });

  app.get('/accounts/:accountId/assets/:hash', async (c) => {
    const bytes = await platform.blobs.get('assets', assetBlobKey(c.req.param('accountId'), c.req.param('hash')));
    return bytes ? new Response(new Uint8Array(bytes)) : c.text('not found', 404);
  });

  app.get('/kv/:namespaceId/keys', async (c) => {
    const limit = c.req.query('limit');
    const listed = await listKeys(platform.db, c.req.param('namespaceId'), {
      prefix: c.req.query('prefix') || undefined,
      limit: limit ? Number(limit) : undefined,
      cursor: c.req.query('cursor') || undefined,
    });
    return c.json(listed satisfies KvKeyList);
  });

  app.get('/kv/:namespaceId/values/:key{.+}', async (c) => {
    const entry = await getEntry(platform.db, c.req.param('namespaceId'), c.req.param('key'));
    if (!entry) return c.body(null, 404);
    const answer: Record<string, string> = {};
    if (entry.metadata !== null) answer[headers.kvMetadata] = encodeURIComponent(entry.metadata);
    if (entry.expiration !== null) answer[headers.kvExpiration] = String(entry.expiration);
    return new Response(new Uint8Array(entry.value), { headers: answer });
  });

  app.put('/kv/:namespaceId/values/:key{.+}', async (c) => {
    const metadata = c.req.header(headers.kvMetadata);
    const number = (name: string) => (c.req.query(name) ? Number(c.req.query(name)) : undefined);
    let parsedMetadata: unknown;
    try {
      parsedMetadata = metadata ? JSON.parse(decodeURIComponent(metadata)) : undefined;
    } catch {
      throw new ProtocolError(refusalCodes.malformedMessage, 'Malformed KV metadata header: not URI-encoded JSON.');
    }
    await putEntries(platform.db, c.req.param('namespaceId'), [
      {
        key: c.req.param('key'),
        value: new Uint8Array(await c.req.arrayBuffer()),
        metadata: parsedMetadata,
        expiration: number('expiration'),
        expirationTtl: number('expirationTtl'),
      },
    ]);
    return success(c, {});
  });

  app.delete('/kv/:namespaceId/values/:key{.+}', async (c) => {
    await deleteEntries(platform.db, c.req.param('namespaceId'), [c.req.param('key')]);
    return success(c, {});
  });

  app.post('/logs', async (c) => {
    const batch = parseJsonMessage(logBatchSchema, await c.req.text(), 'log batch');
    await appendLogs(platform.db, batch.versionId, batch.entries);
    return c.body(null, 204);
  });

  app.post('/strikes', async (c) => {
    const report = parseJsonMessage(strikeReportSchema, await c.req.text(), 'strike report');
    const heldUntil = await recordStrike(platform.db, report.accountId, report.namespace, report.script, report.reason, platform.tenantTagPrefix);
    // A hold may take other scripts too (the whole tenant): nodes learn of those through the feed, now.
    if (heldUntil) void platform.changes.settle().catch((error) => console.error('[strikes] announcing a hold:', error));
    return c.json({ heldUntil });
  });

  app.get('/holds', async (c) => c.json((await activeHolds(platform.db)) satisfies Hold[]));

  app.get('/changes', async (c) => {
    const raw = c.req.query('after');
    const after = raw === undefined || raw === '' ? null : Number(raw);
    if (after !== null && (!Number.isInteger(after) || after < 0)) throw new ProtocolError(refusalCodes.malformedMessage, 'after must be a sequence number.');
    return c.json(await platform.changes.poll(nodeOf(c), after, waitOf(c), c.req.raw.signal));
  });

  app.get('/warm-ups', async (c) => c.json({ jobs: await platform.warmUps.poll(nodeOf(c), waitOf(c), c.req.raw.signal) }));

  app.post('/warm-ups/:id', async (c) => {
    const verdict = parseJsonMessage(warmUpVerdictSchema, await c.req.text(), 'warm-up verdict');
    return platform.warmUps.report(c.req.param('id'), verdict) ? c.body(null, 204) : c.json({ found: false }, 404);
  });

  app.get('/invocations', async (c) => c.json({ jobs: await platform.invocations.poll(nodeOf(c), waitOf(c), c.req.raw.signal) }));

  app.post('/invocations/:id', async (c) => {
    const report = parseJsonMessage(invocationReportSchema, await c.req.text(), 'invocation report');
    return platform.invocations.report(c.req.param('id'), report) ? c.body(null, 204) : c.json({ found: false }, 404);
  });

  // A catch-all route, not notFound: a mounted app's notFound is never called (the REST API's answers instead).
  app.all('*', (c) => c.json(refusalBody(new ProtocolError(refusalCodes.unknownRoute, `No internal API route for ${c.req.method} ${c.req.path}.`, 404)), 404));
  app.onError((error, c) => {
    if (error instanceof ProtocolError) return c.json(refusalBody(error), error.status as 400);
    if (error instanceof ApiError) return c.json({ success: false, errors: [{ code: error.code, message: error.message }], messages: [], result: null }, error.status);
    console.error('[internal]', error);
    return c.json({ success: false, errors: [{ code: 10002, message: String(error) }], messages: [], result: null }, 500);
  });
  return app;
}

export const internalBasePath = readApiPaths.base;
