import { scriptKey, type ScriptRef } from './blame.ts';

interface Suspicion {
  ref: ScriptRef;
  /** How many times the script was in flight on a runner that got stuck without exact blame. */
  count: number;
  lastMarkedAt: number;
  until: number;
}

/** How long a suspect runs alone: 5 s the first time, doubling each time after, at most 10 minutes. */
export const soloMs = (count: number) => Math.min(5000 * 2 ** (count - 1), 600_000);
/** Suspicion older than this is forgotten, so the doubling starts over. */
const forgetAfterMs = 3_600_000;

/**
 * Scripts that were in flight when a runner got stuck with several scripts at once. Each runs alone
 * (a runner of its own) for a while, so that if it is the one that never yields, blame on it is exact.
 */
export class Suspects {
  readonly #byKey = new Map<string, Suspicion>();

  mark(ref: ScriptRef, now: number): void {
    const key = scriptKey(ref);
    const previous = this.#byKey.get(key);
    const count = previous && now - previous.lastMarkedAt < forgetAfterMs ? previous.count + 1 : 1;
    this.#byKey.set(key, { ref, count, lastMarkedAt: now, until: now + soloMs(count) });
    for (const [other, suspicion] of this.#byKey) if (now - suspicion.lastMarkedAt > forgetAfterMs) this.#byKey.delete(other);
  }

  has(ref: ScriptRef, now: number): boolean {
    const suspicion = this.#byKey.get(scriptKey(ref));
    return suspicion !== undefined && suspicion.until > now;
  }

  /** Suspects whose time alone is not over, oldest mark first. */
  current(now: number): ScriptRef[] {
    return [...this.#byKey.values()].filter((s) => s.until > now).sort((a, b) => a.lastMarkedAt - b.lastMarkedAt).map((s) => s.ref);
  }

  /** Ends a suspect's time alone early (its runner was needed for another); the count stays. */
  release(ref: ScriptRef): void {
    const suspicion = this.#byKey.get(scriptKey(ref));
    if (suspicion) suspicion.until = 0;
  }
}
