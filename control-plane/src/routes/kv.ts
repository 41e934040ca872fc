import { asc, count, eq } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { kvNamespaces } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import { success } from '../http/envelope.ts';
import { pageInfo, readPage } from '../http/pagination.ts';
import { decodeBracketFields } from '../http/bracket-form.ts';
import { parseJsonWithin } from '../http/json-limits.ts';
import { readForm, textFields } from '../http/multipart.ts';
import { readJson } from '../http/validation.ts';
import {
  assertKey,
  createKvNamespace,
  deleteEntries,
  deleteKvNamespace,
  getEntries,
  getEntry,
  getKvNamespace,
  kvNamespaceJson,
  listKeys,
  putEntries,
  renameKvNamespace,
  type KvWrite,
} from '../kv/kv-store.ts';
import type { AppEnv } from '../platform.ts';

export const kvRoutes = new Hono<AppEnv>();

const namespaceOf = (c: Context<AppEnv>) => getKvNamespace(c.var.platform.db, c.var.accountId, c.req.param('id')!);

kvRoutes.get('/', async (c) => {
  const page = readPage(c, { perPage: 20, maxPerPage: 1000 });
  const direction = c.req.query('direction') === 'desc' ? 'desc' : 'asc';
  const order = c.req.query('order') === 'title' ? kvNamespaces.title : kvNamespaces.id;
  const { db } = c.var.platform;
  const where = eq(kvNamespaces.accountId, c.var.accountId);
  const rows = await db
    .select()
    .from(kvNamespaces)
    .where(where)
    .orderBy(direction === 'asc' ? asc(order) : order)
    .limit(page.perPage)
    .offset(page.offset);
  const [{ total }] = await db.select({ total: count() }).from(kvNamespaces).where(where);
  return success(c, rows.map(kvNamespaceJson), pageInfo(page, rows.length, total));
});

kvRoutes.post('/', async (c) => {
  const body = (await readJson(c)) as { title?: unknown } | undefined;
  return success(c, kvNamespaceJson(await createKvNamespace(c.var.platform.db, c.var.accountId, body?.title)));
});

kvRoutes.get('/:id', async (c) => success(c, kvNamespaceJson(await namespaceOf(c))));

kvRoutes.put('/:id', async (c) => {
  const body = (await readJson(c)) as { title?: unknown } | undefined;
  return success(c, kvNamespaceJson(await renameKvNamespace(c.var.platform.db, await namespaceOf(c), body?.title)));
});

kvRoutes.delete('/:id', async (c) => {
  await deleteKvNamespace(c.var.platform.db, await namespaceOf(c));
  return success(c, null);
});

kvRoutes.get('/:id/keys', async (c) => {
  const namespace = await namespaceOf(c);
  const limitText = c.req.query('limit');
  const { keys, cursor } = await listKeys(c.var.platform.db, namespace.id, {
    prefix: c.req.query('prefix'),
    limit: limitText === undefined ? undefined : Number(limitText),
    cursor: c.req.query('cursor') || undefined,
  });
  return success(c, keys, { count: keys.length, cursor });
});

const keyNotFound = (key: string) => errors.notFound(10009, `Key "${key}" was not found in this KV namespace.`);

kvRoutes.get('/:id/values/:key{.+}', async (c) => {
  const namespace = await namespaceOf(c);
  const key = c.req.param('key');
  const entry = await getEntry(c.var.platform.db, namespace.id, key);
  if (!entry) throw keyNotFound(key);
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (entry.expiration !== null) headers.expiration = String(entry.expiration);
  return new Response(new Uint8Array(entry.value), { headers });
});

kvRoutes.get('/:id/metadata/:key{.+}', async (c) => {
  const namespace = await namespaceOf(c);
  const key = c.req.param('key');
  const entry = await getEntry(c.var.platform.db, namespace.id, key);
  if (!entry) throw keyNotFound(key);
  return success(c, entry.metadata === null ? null : JSON.parse(entry.metadata));
});

function optionalInt(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw errors.badRequest(`${name} must be a whole number of seconds, got "${raw}".`, 10010);
  return value;
}

kvRoutes.put('/:id/values/:key{.+}', async (c) => {
  const namespace = await namespaceOf(c);
  const key = c.req.param('key');
  assertKey(key);
  const write: KvWrite = {
    key,
    value: new Uint8Array(),
    expiration: optionalInt(c.req.query('expiration'), 'expiration'),
    expirationTtl: optionalInt(c.req.query('expiration_ttl'), 'expiration_ttl'),
  };
  if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
    const form = await readForm(c);
    const value = form.get('value');
    if (value === null) throw errors.badRequest('The multipart body needs a "value" part.', 10019);
    write.value = typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(await value.arrayBuffer());
    const metadata = form.get('metadata');
    const bracketed = metadata === null ? decodeBracketFields(textFields(form), 'metadata', 10023) : undefined;
    if (bracketed) write.metadata = bracketed;
    if (metadata !== null) {
      const text = typeof metadata === 'string' ? metadata : await metadata.text();
      write.metadata = parseJsonWithin(text, { what: 'The "metadata" part', maxBytes: Number.POSITIVE_INFINITY, code: 10023 });
    }
  } else {
    write.value = new Uint8Array(await c.req.arrayBuffer());
  }
  await putEntries(c.var.platform.db, namespace.id, [write]);
  return success(c, {});
});

kvRoutes.delete('/:id/values/:key{.+}', async (c) => {
  const namespace = await namespaceOf(c);
  await deleteEntries(c.var.platform.db, namespace.id, [c.req.param('key')]);
  return success(c, {});
});

interface BulkItem {
  key?: unknown;
  value?: unknown;
  base64?: unknown;
  expiration?: unknown;
  expiration_ttl?: unknown;
  metadata?: unknown;
}

kvRoutes.put('/:id/bulk', async (c) => {
  const namespace = await namespaceOf(c);
  const body = await readJson(c);
  if (!Array.isArray(body)) throw errors.badRequest('The body must be a JSON array of { key, value } objects.', 10019);
  if (body.length > 10_000) throw errors.badRequest('A bulk write can hold at most 10,000 pairs.', 10019);
  const writes = (body as BulkItem[]).map((item, index): KvWrite => {
    if (typeof item?.key !== 'string' || typeof item.value !== 'string') {
      throw errors.badRequest(`Item ${index} needs a string "key" and a string "value".`, 10019);
    }
    const value = item.base64 === true ? Buffer.from(item.value, 'base64') : new TextEncoder().encode(item.value);
    return {
      key: item.key,
      value,
      metadata: item.metadata,
      expiration: item.expiration as number | undefined,
      expirationTtl: item.expiration_ttl as number | undefined,
    };
  });
  await putEntries(c.var.platform.db, namespace.id, writes);
  return success(c, { successful_key_count: writes.length, unsuccessful_keys: [] });
});

async function bulkDelete(c: Context<AppEnv>) {
  const namespace = await namespaceOf(c);
  const body = await readJson(c);
  if (!Array.isArray(body) || body.some((key) => typeof key !== 'string')) {
    throw errors.badRequest('The body must be a JSON array of key strings.', 10019);
  }
  if (body.length > 10_000) throw errors.badRequest('A bulk delete can hold at most 10,000 keys.', 10019);
  await deleteEntries(c.var.platform.db, namespace.id, body as string[]);
  return success(c, { successful_key_count: body.length, unsuccessful_keys: [] });
}

kvRoutes.delete('/:id/bulk', bulkDelete);
kvRoutes.post('/:id/bulk/delete', bulkDelete);

kvRoutes.post('/:id/bulk/get', async (c) => {
  const namespace = await namespaceOf(c);
  const body = (await readJson(c)) as { keys?: unknown; type?: unknown; withMetadata?: unknown } | undefined;
  const keys = body?.keys;
  if (!Array.isArray(keys) || keys.length > 100 || keys.some((key) => typeof key !== 'string')) {
    throw errors.badRequest('"keys" must be an array of at most 100 key strings.', 10019);
  }
  const rows = await getEntries(c.var.platform.db, namespace.id, keys as string[]);
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const values: Record<string, unknown> = {};
  for (const key of keys as string[]) {
    const row = byKey.get(key);
    let value: unknown = null;
    if (row) {
      const text = row.value.toString('utf8');
      if (body?.type === 'json') {
        try {
          value = JSON.parse(text);
        } catch {
          throw errors.badRequest(`The value of "${key}" is not JSON; ask for type "text".`, 10019);
        }
      } else value = text;
    }
    values[key] = body?.withMetadata === true
      ? { value, metadata: row?.metadata ? JSON.parse(row.metadata) : null, ...(row?.expiration ? { expiration: row.expiration } : {}) }
      : value;
  }
  return success(c, { values });
});

