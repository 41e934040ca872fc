import type { ChangePage } from '@switchyard/protocol';
import { asc, gt, max } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { changeEvents } from '../db/schema.ts';
import { NodePresence, sleepUnless } from './node-presence.ts';

const pageSize = 500;
/** How long a write waits for connected nodes to apply it before it is acknowledged anyway. */
const settleTimeoutMs = 5000;

/**
 * The durable change feed, as nodes read it. Rows are written by triggers in the transaction of
 * each change; a node long-polls for the rows after the last it applied, and its next poll says
 * it applied them. A write is acknowledged once every connected node has applied it, so a deploy
 * is served on the next request; a node that is down catches up from its sequence number later.
 */
export class ChangeFeed {
  readonly #db: Database;
  readonly #presence = new NodePresence();
  readonly #applied = new Map<string, number>();
  readonly #pollers = new Set<() => void>();
  readonly #settlers = new Set<() => void>();

  constructor(db: Database) {
    this.#db = db;
  }

  async last(): Promise<number> {
    const [{ seq }] = await this.#db.select({ seq: max(changeEvents.seq) }).from(changeEvents);
    return seq ?? 0;
  }

  async #page(after: number): Promise<ChangePage> {
    const rows = await this.#db.select().from(changeEvents).where(gt(changeEvents.seq, after)).orderBy(asc(changeEvents.seq)).limit(pageSize);
    const events = rows.map((row) => ({ seq: row.seq, accountId: row.accountId, namespace: row.namespace, script: row.script }));
    return { events, last: events.at(-1)?.seq ?? after };
  }

  /**
   * A node's poll: it has applied everything up to `after` (null: it starts with nothing cached
   * and takes the feed from now). Answers the events after that, waiting up to `waitMs` for one.
   */
  poll(node: string, after: number | null, waitMs: number, signal?: AbortSignal): Promise<ChangePage> {
    return this.#presence.during(node, async () => {
      if (after === null) return { events: [], last: await this.last() };
      this.#applied.set(node, after);
      for (const settle of [...this.#settlers]) settle();
      const deadline = Date.now() + waitMs;
      for (;;) {
        const page = await this.#page(after);
        if (page.events.length > 0 || Date.now() >= deadline || signal?.aborted) return page;
        await sleepUnless(deadline - Date.now(), signal, this.#pollers);
      }
    });
  }

  /** Wakes waiting polls and waits until every connected node has applied the feed up to now. */
  async settle(): Promise<void> {
    const target = await this.last();
    for (const wake of [...this.#pollers]) wake();
    const deadline = Date.now() + settleTimeoutMs;
    while (Date.now() < deadline) {
      const behind = this.#presence.connected().filter((node) => (this.#applied.get(node) ?? 0) < target);
      if (behind.length === 0) return;
      await sleepUnless(Math.min(50, deadline - Date.now()), undefined, this.#settlers);
    }
    console.error(`[change-feed] nodes did not apply change ${target} within ${settleTimeoutMs} ms; acknowledging anyway`);
  }
}
