import { asc, eq } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { dispatchNamespaces } from '../db/schema.ts';
import { success } from '../http/envelope.ts';
import { readJson, validate } from '../http/validation.ts';
import {
  countScripts,
  createNamespace,
  deleteNamespace,
  getNamespace,
  namespaceJson,
  updateNamespace,
  type NamespaceRow,
} from '../namespaces/namespace-store.ts';
import { settleChange } from '../internal/announce.ts';
import type { AppEnv } from '../platform.ts';

const createBody = z.object({ name: z.string().optional(), trusted_workers: z.boolean().optional() }).optional();
const updateBody = z.object({ name: z.string().optional(), trusted_workers: z.boolean().optional() });

export const namespaceRoutes = new Hono<AppEnv>();

async function withCount(c: Context<AppEnv>, row: NamespaceRow) {
  const counts = await countScripts(c.var.platform.db, [row.id]);
  return namespaceJson(row, counts.get(row.id) ?? 0);
}

namespaceRoutes.post('/', async (c) => {
  const body = validate(createBody, await readJson(c), 'dispatch namespace');
  const name = body?.name ?? `namespace-${Date.now().toString(36)}`;
  const row = await createNamespace(c.var.platform.db, c.var.accountId, name, c.var.tokenId, body?.trusted_workers);
  return success(c, namespaceJson(row, 0));
});

namespaceRoutes.get('/', async (c) => {
  const { db } = c.var.platform;
  const rows = await db.select().from(dispatchNamespaces).where(eq(dispatchNamespaces.accountId, c.var.accountId)).orderBy(asc(dispatchNamespaces.name));
  const counts = await countScripts(db, rows.map((row) => row.id));
  return success(c, rows.map((row) => namespaceJson(row, counts.get(row.id) ?? 0)));
});

namespaceRoutes.get('/:namespace', async (c) => {
  const row = await getNamespace(c.var.platform.db, c.var.accountId, c.req.param('namespace'));
  return success(c, await withCount(c, row));
});

async function update(c: Context<AppEnv>) {
  const { db } = c.var.platform;
  const row = await getNamespace(db, c.var.accountId, c.req.param('namespace')!);
  const body = validate(updateBody, (await readJson(c)) ?? {}, 'dispatch namespace');
  const updated = await updateNamespace(db, row, { name: body.name, trustedWorkers: body.trusted_workers }, c.var.tokenId);
  await settleChange(c);
  return success(c, await withCount(c, updated));
}

namespaceRoutes.put('/:namespace', update);
namespaceRoutes.patch('/:namespace', update);

namespaceRoutes.delete('/:namespace', async (c) => {
  const { db } = c.var.platform;
  const row = await getNamespace(db, c.var.accountId, c.req.param('namespace'));
  const blobs = await db.transaction((tx) => deleteNamespace(tx, row), { behavior: 'immediate' });
  await settleChange(c);
  await c.var.platform.blobCollector.collect(blobs);
  return success(c, null);
});
