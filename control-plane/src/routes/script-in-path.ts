import type { Context } from 'hono';
import { findScript, scriptNotFound, type ScriptRow } from '../scripts/script-store.ts';
import type { AppEnv } from '../platform.ts';

/** The script named by the route's `:script` in the namespace of the request, or its 404. */
export async function scriptInPath(c: Context<AppEnv>): Promise<ScriptRow> {
  const name = c.req.param('script')!;
  const row = await findScript(c.var.platform.db, c.var.namespace.id, name);
  if (!row) throw scriptNotFound(name);
  return row;
}
