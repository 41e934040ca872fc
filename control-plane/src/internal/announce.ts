import type { Context } from 'hono';
import type { AppEnv } from '../platform.ts';

/** Makes the data plane drop what it cached for these scripts of the current namespace (all when null). */
export function announceChange(c: Context<AppEnv>, scripts: string[] | null, namespace = c.var.namespace.name): Promise<void> {
  return c.var.platform.changes.publish({ accountId: c.var.accountId, namespace, scripts });
}
