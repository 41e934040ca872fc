import { Hono } from 'hono';
import { errors } from '../http/api-error.ts';
import type { AppEnv } from '../platform.ts';

/**
 * `/accounts/:id/workers/scripts/...`: Workers outside any dispatch namespace. Switchyard runs
 * scripts only in dispatch namespaces, so every such script is "not found" (code 10007, which is
 * what wrangler checks for: `deploy --dispatch-namespace` reads these paths before uploading).
 */
export const accountScriptRoutes = new Hono<AppEnv>();

accountScriptRoutes.all('/:script/*', (c) => {
  throw errors.notFound(
    10007,
    `There is no Worker "${c.req.param('script')}" outside dispatch namespaces: Switchyard runs scripts in dispatch namespaces (/workers/dispatch/namespaces/:namespace/scripts/:script).`,
  );
});
accountScriptRoutes.all('/:script', (c) => {
  throw errors.notFound(10007, `There is no Worker "${c.req.param('script')}" outside dispatch namespaces: upload it to a dispatch namespace.`);
});
