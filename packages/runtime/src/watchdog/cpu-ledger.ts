import type { InFlight } from '@switchyard/protocol';
import { distinctScripts } from './blame.ts';

/** An invocation whose counted CPU time passed its limit. */
export interface OverLimit {
  entry: InFlight;
  cpuMs: number;
  usedMs: number;
  /** Whether every share counted was exact: only its own script was running on the runner when it was spent. */
  exact: boolean;
}

interface Account {
  entry: InFlight;
  usedMs: number;
  exact: boolean;
}

/**
 * The CPU time each invocation on one runner has used, counted from the runner's CPU time between
 * two heartbeats, shared among the invocations running in that interval. Where one script was
 * running the count is exact for it (a runner has one JavaScript thread); where several were, each
 * gets an even share, and the count is marked inexact: it may make a script a suspect, never strike it.
 */
export class CpuLedger {
  readonly #accounts = new Map<string, Account>();

  /**
   * Counts `spentMs` of runner CPU against the invocations that ran while it was spent: those
   * running now and those that `ended` meanwhile (which are then forgotten).
   */
  charge(running: readonly InFlight[], spentMs: number, ended: readonly InFlight[] = []): void {
    const ran = [...running, ...ended];
    const stillRunning = new Set(running.map((entry) => entry.invocationId));
    for (const id of this.#accounts.keys()) if (!stillRunning.has(id)) this.#accounts.delete(id);
    if (ran.length === 0 || spentMs <= 0) return;
    const exact = distinctScripts(ran).length === 1;
    const share = spentMs / ran.length;
    for (const entry of running) {
      let account = this.#accounts.get(entry.invocationId);
      if (!account) this.#accounts.set(entry.invocationId, (account = { entry, usedMs: 0, exact: true }));
      account.usedMs += share;
      if (!exact) account.exact = false;
    }
  }

  /** The invocations past their limit, given each one's limit. */
  overLimit(limitOf: (entry: InFlight) => number): OverLimit[] {
    const over: OverLimit[] = [];
    for (const { entry, usedMs, exact } of this.#accounts.values()) {
      const cpuMs = limitOf(entry);
      if (usedMs > cpuMs) over.push({ entry, cpuMs, usedMs, exact });
    }
    return over;
  }

  /** Whether an invocation was running at the last count (the runner had ended nothing since). */
  get busy(): boolean {
    return this.#accounts.size > 0;
  }

  usedMs(invocationId: string): number {
    return this.#accounts.get(invocationId)?.usedMs ?? 0;
  }

  forget(invocationId: string): void {
    this.#accounts.delete(invocationId);
  }

  clear(): void {
    this.#accounts.clear();
  }
}
