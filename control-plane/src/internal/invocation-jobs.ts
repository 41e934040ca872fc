import { randomUUID } from 'node:crypto';
import type { Invocation, InvocationJob, InvocationReport, InvokeEvent } from '@switchyard/protocol';
import { NodePresence, sleepUnless } from './node-presence.ts';

interface Pending {
  job: InvocationJob;
  /** The one node the job was handed to, once one took it. */
  takenBy: string | null;
  report: InvocationReport | null;
  changed: Set<() => void>;
}

/**
 * Invocations the control plane runs on a node (cron firings now; tasks and queue batches later).
 * Connected nodes long-poll here; each job goes to exactly one node, which runs it through its
 * invoke door (same sandbox, limits and blame as a request) and reports how it ended.
 */
export class InvocationBoard {
  readonly #presence = new NodePresence();
  readonly #pending = new Map<string, Pending>();
  readonly #pollers = new Set<() => void>();

  connectedNodes(): string[] {
    return this.#presence.connected();
  }

  /**
   * Runs an invocation on one connected node and answers its report; a report with an error when
   * no node took it in time, or the node that took it went away or did not answer within `timeoutMs`.
   */
  async run(invocation: Invocation, event: InvokeEvent, timeoutMs: number): Promise<InvocationReport> {
    const pending: Pending = { job: { id: randomUUID(), invocation, event }, takenBy: null, report: null, changed: new Set() };
    this.#pending.set(pending.job.id, pending);
    for (const wake of [...this.#pollers]) wake();
    const started = Date.now();
    const deadline = started + timeoutMs;
    const failed = (error: string): InvocationReport => ({ node: pending.takenBy ?? 'none', result: null, error, durationMs: Date.now() - started });
    try {
      while (!pending.report) {
        if (Date.now() >= deadline) return failed(pending.takenBy ? `node ${pending.takenBy} did not report within ${timeoutMs} ms` : 'no data plane node was connected to run it');
        if (pending.takenBy && !this.#presence.connected().includes(pending.takenBy)) return failed(`node ${pending.takenBy} went away while running it`);
        await sleepUnless(Math.min(250, deadline - Date.now()), undefined, pending.changed);
      }
      return pending.report;
    } finally {
      this.#pending.delete(pending.job.id);
    }
  }

  /** A node's poll: jobs no node has taken yet (now its own), waiting up to `waitMs` for one. */
  poll(node: string, waitMs: number, signal?: AbortSignal): Promise<InvocationJob[]> {
    return this.#presence.during(node, async () => {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const free = [...this.#pending.values()].filter((pending) => pending.takenBy === null);
        if (free.length > 0 || Date.now() >= deadline || signal?.aborted) {
          for (const pending of free) pending.takenBy = node;
          return free.map((pending) => pending.job);
        }
        await sleepUnless(deadline - Date.now(), signal, this.#pollers);
      }
    });
  }

  /** A node's report on a job it took; false when the job is no longer waited for (or is not its). */
  report(id: string, report: InvocationReport): boolean {
    const pending = this.#pending.get(id);
    if (!pending || pending.takenBy !== report.node) return false;
    pending.report = report;
    for (const wake of [...pending.changed]) wake();
    return true;
  }
}
