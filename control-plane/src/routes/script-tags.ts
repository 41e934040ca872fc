import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { scriptTags } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import { success } from '../http/envelope.ts';
import { readJson } from '../http/validation.ts';
import { assertTags, listTags, maxTagsPerScript, replaceTags } from '../scripts/script-store.ts';
import type { AppEnv } from '../platform.ts';
import { scriptInPath } from './script-in-path.ts';

export const tagRoutes = new Hono<AppEnv>();


tagRoutes.get('/:script/tags', async (c) => {
  return success(c, await listTags(c.var.platform.db, (await scriptInPath(c)).id));
});

tagRoutes.put('/:script/tags', async (c) => {
  const row = await scriptInPath(c);
  const tags = await readJson(c);
  if (!Array.isArray(tags)) throw errors.badRequest('The body must be a JSON array of tag strings.', 10001);
  assertTags(tags as string[]);
  const { db } = c.var.platform;
  await db.transaction((tx) => replaceTags(tx, row.id, tags as string[]), { behavior: 'immediate' });
  return success(c, await listTags(db, row.id));
});

tagRoutes.put('/:script/tags/:tag', async (c) => {
  const row = await scriptInPath(c);
  const tag = c.req.param('tag');
  assertTags([tag]);
  const { db } = c.var.platform;
  await db.transaction(
    async (tx) => {
      const tags = await listTags(tx, row.id);
      if (tags.includes(tag)) return;
      if (tags.length >= maxTagsPerScript) {
        throw errors.badRequest(`Script "${row.name}" already has ${maxTagsPerScript} tags, the most a script can have; delete one first.`, 10001);
      }
      await tx.insert(scriptTags).values({ scriptId: row.id, tag });
    },
    { behavior: 'immediate' },
  );
  return success(c, null);
});

tagRoutes.delete('/:script/tags/:tag', async (c) => {
  const row = await scriptInPath(c);
  await c.var.platform.db.delete(scriptTags).where(and(eq(scriptTags.scriptId, row.id), eq(scriptTags.tag, c.req.param('tag'))));
  return success(c, null);
});
