import type { Context } from 'hono';
import type { AppEnv } from '../platform.ts';

/**
 * Called after a write the data plane must see: the change is in the feed already (written by
 * triggers in the write's transaction); this waits until every connected node has applied it.
 */
export function settleChange(c: Context<AppEnv>): Promise<void> {
  return c.var.platform.changes.settle();
}
