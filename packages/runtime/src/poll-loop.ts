const longPollMs = 20_000;
const retryAfterMs = 200;

/**
 * Calls `step` over and over: once at start waiting for nothing (to catch up, or to register with
 * the API at once), then as long polls. While the API is unreachable it retries every 200 ms, so
 * the node is back in touch within a fraction of a second of the API.
 */
export class PollLoop {
  readonly #what: string;
  readonly #step: (waitMs: number, signal: AbortSignal) => Promise<void>;
  readonly #abort = new AbortController();
  #running: Promise<void> | null = null;

  constructor(what: string, step: (waitMs: number, signal: AbortSignal) => Promise<void>) {
    this.#what = what;
    this.#step = step;
  }

  /** Runs the first step (its failure is thrown), then keeps polling in the background either way. */
  async start(): Promise<void> {
    try {
      await this.#step(0, this.#abort.signal);
    } finally {
      this.#running = this.#loop();
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #loop(): Promise<void> {
    while (!this.#abort.signal.aborted) {
      try {
        await this.#step(longPollMs, this.#abort.signal);
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        if (!String(error).includes('fetch failed')) console.error(`[node] ${this.#what}:`, error instanceof Error ? error.message : error);
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
      }
    }
  }
}
