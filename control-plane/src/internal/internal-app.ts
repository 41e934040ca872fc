import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { assetBlobKey } from '../assets/asset-hash.ts';
import { ApiError } from '../http/api-error.ts';
import { failure, success } from '../http/envelope.ts';
import { deleteEntries, getEntry, listKeys, putEntries } from '../kv/kv-store.ts';
import { egressRulesOf } from '../namespaces/egress-rules.ts';
import { findNamespace } from '../namespaces/namespace-store.ts';
import { appendLogs, type LogEntry } from '../scripts/script-logs.ts';
import { findScript } from '../scripts/script-store.ts';
import type { Platform } from '../platform.ts';
import { loadWorkerCode } from './worker-code.ts';

export const internalSecretHeader = 'x-switchyard-internal';

/**
 * The API the data plane reads scripts, KV and assets through. It listens on loopback only, and
 * every call must carry the secret the platform generated at start.
 */
export function createInternalApp(platform: Platform, secret: string) {
  const app = new Hono();
  const expected = Buffer.from(secret);

  app.use('*', async (c, next) => {
    const given = Buffer.from(c.req.header(internalSecretHeader) ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return c.text('forbidden', 403);
    await next();
  });

  app.get('/scripts/:accountId/:namespace/:script', async (c) => {
    const namespace = await findNamespace(platform.db, c.req.param('accountId'), c.req.param('namespace'));
    if (!namespace) return c.json({ found: false, reason: 'namespace' }, 404);
    const script = await findScript(platform.db, namespace.id, c.req.param('script'));
    if (!script) return c.json({ found: false, reason: 'script' }, 404);
    return c.json({ found: true, versionId: script.currentVersionId });
  });

  app.get('/egress/:accountId/:namespace', async (c) => {
    const namespace = await findNamespace(platform.db, c.req.param('accountId'), c.req.param('namespace'));
    return c.json(namespace ? egressRulesOf(namespace) : { allow: [], deny: [] });
  });

  app.post('/logs', async (c) => {
    const body = (await c.req.json()) as { versionId: string; entries: LogEntry[] };
    await appendLogs(platform.db, body.versionId, Array.isArray(body.entries) ? body.entries : []);
    return c.body(null, 204);
  });

  app.get('/versions/:versionId', async (c) => {
    const code = await loadWorkerCode(platform, c.req.param('versionId'));
    return code ? c.json(code) : c.json({ found: false }, 404);
  });

  app.get('/assets/:accountId/:hash', async (c) => {
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
    return c.json(listed);
  });

  app.get('/kv/:namespaceId/values/:key{.+}', async (c) => {
    const entry = await getEntry(platform.db, c.req.param('namespaceId'), c.req.param('key'));
    if (!entry) return c.body(null, 404);
    const headers: Record<string, string> = {};
    if (entry.metadata !== null) headers['x-kv-metadata'] = encodeURIComponent(entry.metadata);
    if (entry.expiration !== null) headers['x-kv-expiration'] = String(entry.expiration);
    return new Response(new Uint8Array(entry.value), { headers });
  });

  app.put('/kv/:namespaceId/values/:key{.+}', async (c) => {
    const metadata = c.req.header('x-kv-metadata');
    const number = (name: string) => (c.req.query(name) ? Number(c.req.query(name)) : undefined);
    await putEntries(platform.db, c.req.param('namespaceId'), [
      {
        key: c.req.param('key'),
        value: new Uint8Array(await c.req.arrayBuffer()),
        metadata: metadata ? JSON.parse(decodeURIComponent(metadata)) : undefined,
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

  app.onError((error, c) => {
    if (error instanceof ApiError) return failure(c, error.status, [{ code: error.code, message: error.message }]);
    console.error('[internal]', error);
    return failure(c, 500, [{ code: 10002, message: String(error) }]);
  });
  return app;
}

