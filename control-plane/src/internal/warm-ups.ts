import { randomUUID } from 'node:crypto';
import type { WarmUpJob, WarmUpVerdict } from '@switchyard/protocol';
import { NodePresence, sleepUnless } from './node-presence.ts';

/** How long an upload waits for a node to connect when none is. */
const awaitNodeMs = 3000;

interface Pending {
  job: WarmUpJob;
  deliveredTo: Set<string>;
  expected: string[];
  verdicts: Map<string, WarmUpVerdict>;
  changed: Set<() => void>;
}

/**
 * Uploads waiting to be warmed. Each connected node long-polls here, loads the upload on the
 * runner that will serve it, under the version id it will be stored with, and reports whether it
 * started; the upload is refused if it did not. So the version checked is the version warmed.
 */
export class WarmUpBoard {
  readonly #presence = new NodePresence();
  readonly #pending = new Map<string, Pending>();
  readonly #pollers = new Set<() => void>();

  /** The nodes that would be asked now. */
  connectedNodes(): string[] {
    return this.#presence.connected();
  }

  /**
   * Asks every connected node to warm the upload; the verdicts of those that answered in time.
   * With no node connected it waits a little for one (nodes reconnect within a second of an API restart).
   */
  async warmUp(job: Omit<WarmUpJob, 'id'>, timeoutMs = 15_000): Promise<WarmUpVerdict[]> {
    let expected = this.#presence.connected();
    for (const waitUntil = Date.now() + awaitNodeMs; expected.length === 0 && Date.now() < waitUntil; expected = this.#presence.connected()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (expected.length === 0) return [];
    const pending: Pending = { job: { ...job, id: randomUUID() }, deliveredTo: new Set(), expected, verdicts: new Map(), changed: new Set() };
    this.#pending.set(pending.job.id, pending);
    for (const wake of [...this.#pollers]) wake();
    const deadline = Date.now() + timeoutMs;
    try {
      while (Date.now() < deadline) {
        const stillConnected = new Set(this.#presence.connected());
        const waitingFor = pending.expected.filter((node) => !pending.verdicts.has(node) && stillConnected.has(node));
        if (waitingFor.length === 0 || [...pending.verdicts.values()].some((verdict) => verdict.error !== null)) break;
        await sleepUnless(Math.min(100, deadline - Date.now()), undefined, pending.changed);
      }
      return [...pending.verdicts.values()];
    } finally {
      this.#pending.delete(pending.job.id);
    }
  }

  /** A node's poll: the jobs it has not taken yet, waiting up to `waitMs` for one. */
  poll(node: string, waitMs: number, signal?: AbortSignal): Promise<WarmUpJob[]> {
    return this.#presence.during(node, async () => {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const jobs = [...this.#pending.values()].filter((pending) => !pending.deliveredTo.has(node));
        if (jobs.length > 0 || Date.now() >= deadline || signal?.aborted) {
          for (const pending of jobs) pending.deliveredTo.add(node);
          return jobs.map((pending) => pending.job);
        }
        await sleepUnless(deadline - Date.now(), signal, this.#pollers);
      }
    });
  }

  /** A node's verdict on a job; false when the job is no longer waited for. */
  report(id: string, verdict: WarmUpVerdict): boolean {
    const pending = this.#pending.get(id);
    if (!pending) return false;
    pending.verdicts.set(verdict.node, verdict);
    for (const wake of [...pending.changed]) wake();
    return true;
  }
}
