import type { ChangePage } from '@switchyard/protocol';
import { asc, gt, lt, lte, max, min } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { changeEvents } from '../db/schema.ts';
import { NodePresence, sleepUnless } from './node-presence.ts';

const pageSize = 500;
/** Events kept at least: the newest 10,000, and every one of the last 7 days. */
const retention = { events: 10_000, ms: 7 * 24 * 3600_000 };
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
  /** Counts wake-ups, so a poll that was reading when one came does not go to sleep past it. */
  #wakeups = 0;

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
    return { events, last: events.at(-1)?.seq ?? after, reset: false };
  }

  /** Whether events after `after` were pruned already (the node was away longer than the retention). */
  async #missed(after: number): Promise<boolean> {
    const [{ oldest }] = await this.#db.select({ oldest: min(changeEvents.seq) }).from(changeEvents);
    return oldest !== null && after < oldest - 1;
  }

  /**
   * Drops the oldest events past the retention, as one run from the start (no gaps, so a node can
   * tell from the oldest kept event whether it missed any); the newest 10,000 always stay.
   */
  async prune(now = Date.now()): Promise<void> {
    const last = await this.last();
    const [{ expired }] = await this.#db.select({ expired: max(changeEvents.seq) }).from(changeEvents).where(lt(changeEvents.at, now - retention.ms));
    if (expired === null) return;
    await this.#db.delete(changeEvents).where(lte(changeEvents.seq, Math.min(expired, last - retention.events)));
  }

  /**
   * A node's poll: it has applied everything up to `after` (null: it starts with nothing cached
   * and takes the feed from now). Answers the events after that, waiting up to `waitMs` for one.
   */
  poll(node: string, after: number | null, waitMs: number, signal?: AbortSignal): Promise<ChangePage> {
    return this.#presence.during(node, async () => {
      if (after === null) return { events: [], last: await this.last(), reset: false };
      // Events pruned past the node's place, or a node ahead of the feed (the database was restored
      // from an older copy): either way what the node cached cannot be trusted.
      if ((await this.#missed(after)) || after > (await this.last())) return { events: [], last: await this.last(), reset: true };
      this.#applied.set(node, after);
      for (const settle of [...this.#settlers]) settle();
      const deadline = Date.now() + waitMs;
      for (;;) {
        const wakeups = this.#wakeups;
        const page = await this.#page(after);
        if (page.events.length > 0 || Date.now() >= deadline || signal?.aborted) return page;
        if (wakeups === this.#wakeups) await sleepUnless(deadline - Date.now(), signal, this.#pollers);
      }
    });
  }

  /** Wakes waiting polls and waits until every connected node has applied the feed up to now. */
  async settle(): Promise<void> {
    const target = await this.last();
    this.#wakeups++;
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
