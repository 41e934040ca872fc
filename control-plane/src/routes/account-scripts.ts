import { and, eq } from 'drizzle-orm';
import { Hono, type MiddlewareHandler } from 'hono';
import { dispatchNamespaces, scripts } from '../db/schema.ts';
import { errors } from '../http/api-error.ts';
import type { AppEnv } from '../platform.ts';
import { secretRoutes } from './script-secrets.ts';

/**
 * `/accounts/:id/workers/scripts/...`: Workers outside any dispatch namespace. Switchyard runs
 * scripts only in dispatch namespaces. wrangler's `secret put|list|delete --name S` uses these
 * paths and has no `--dispatch-namespace`, so the secrets paths reach the account's one script
 * named S, whichever namespace holds it; everything else is "not found" (code 10007, which
 * wrangler takes as "no such Worker" during `deploy --dispatch-namespace`).
 */
export const accountScriptRoutes = new Hono<AppEnv>();

const noSuchWorker = (name: string) =>
  errors.notFound(10007, `There is no Worker "${name}" in any dispatch namespace of this account: upload it to a dispatch namespace first.`);

const findHolder: MiddlewareHandler<AppEnv> = async (c, next) => {
  const name = c.req.param('script')!;
  const holders = await c.var.platform.db
    .select({ namespace: dispatchNamespaces })
    .from(scripts)
    .innerJoin(dispatchNamespaces, eq(dispatchNamespaces.id, scripts.namespaceId))
    .where(and(eq(dispatchNamespaces.accountId, c.var.accountId), eq(scripts.name, name)));
  if (holders.length === 0) throw noSuchWorker(name);
  if (holders.length > 1) {
    throw errors.conflict(
      10094,
      `Scripts named "${name}" exist in several dispatch namespaces (${holders.map((h) => h.namespace.name).join(', ')}): use /workers/dispatch/namespaces/:namespace/scripts/${name}/secrets.`,
    );
  }
  c.set('namespace', holders[0].namespace);
  await next();
};
accountScriptRoutes.use('/:script/secrets', findHolder);
accountScriptRoutes.use('/:script/secrets/*', findHolder);
accountScriptRoutes.route('/', secretRoutes);

accountScriptRoutes.all('/:script/*', (c) => {
  throw noSuchWorker(c.req.param('script'));
});
accountScriptRoutes.all('/:script', (c) => {
  throw noSuchWorker(c.req.param('script'));
});
