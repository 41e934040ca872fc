/**
 * Which nodes are connected: a node counts while one of its long polls is open, and for a short
 * grace after one ends (the time it takes to send the next). A node that is killed stops counting
 * when its connection drops, so the API never waits on a node that is gone.
 */
export class NodePresence {
  readonly #nodes = new Map<string, { open: number; lastSeen: number }>();
  readonly #graceMs: number;

  constructor(graceMs = 2000) {
    this.#graceMs = graceMs;
  }

  async during<T>(node: string, work: () => Promise<T>): Promise<T> {
    const entry = this.#nodes.get(node) ?? { open: 0, lastSeen: 0 };
    this.#nodes.set(node, entry);
    entry.open++;
    try {
      return await work();
    } finally {
      entry.open--;
      entry.lastSeen = Date.now();
    }
  }

  connected(): string[] {
    const now = Date.now();
    const nodes: string[] = [];
    for (const [node, entry] of this.#nodes) {
      if (entry.open > 0 || now - entry.lastSeen < this.#graceMs) nodes.push(node);
      else if (now - entry.lastSeen > 60_000) this.#nodes.delete(node);
    }
    return nodes;
  }
}

/** Resolves after `ms`, when `wake` is called, or when `signal` aborts, whichever comes first. */
export function sleepUnless(ms: number, signal: AbortSignal | undefined, wakers: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wakers.delete(done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wakers.add(done);
    signal?.addEventListener('abort', done);
  });
}
