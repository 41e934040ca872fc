import type { ReadApiClient, WarmUpJob } from '@switchyard/protocol';
import type { DataPlane } from './data-plane.ts';
import type { NodeCache } from './node-cache.ts';

const pollWaitMs = 20_000;

/**
 * Takes the control plane's warm-up jobs (uploads being checked): keeps the code on disk, loads
 * it on the runner that will serve it under its final version id, and reports whether it started.
 */
export class WarmUpWorker {
  readonly #api: ReadApiClient;
  readonly #cache: NodeCache;
  readonly #dataPlane: DataPlane;
  readonly #node: string;
  readonly #abort = new AbortController();
  #running: Promise<void> | null = null;

  constructor(api: ReadApiClient, cache: NodeCache, dataPlane: DataPlane, node: string) {
    this.#api = api;
    this.#cache = cache;
    this.#dataPlane = dataPlane;
    this.#node = node;
  }

  /** Registers with the API at once (a poll that waits for nothing), then polls in the background. */
  async start(): Promise<void> {
    try {
      await this.#step(0);
    } finally {
      this.#running = this.#poll();
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #poll(): Promise<void> {
    while (!this.#abort.signal.aborted) {
      try {
        await this.#step(pollWaitMs);
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        if (!String(error).includes('fetch failed')) console.error('[node] taking warm-up jobs:', error instanceof Error ? error.message : error);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  async #step(waitMs: number): Promise<void> {
    const { jobs } = await this.#api.warmUps(this.#node, waitMs, this.#abort.signal);
    await Promise.all(jobs.map((job) => this.#run(job)));
  }

  async #run(job: WarmUpJob): Promise<void> {
    let error: string | null = null;
    let startupMs = 0;
    try {
      await this.#cache.storeVersion(job.code);
      const result = await this.#dataPlane.warm({ accountId: job.accountId, namespace: job.namespace, script: job.script }, job.code);
      if (result.outcome === 'ok') startupMs = result.startupMs ?? 0;
      else error = result.message;
    } catch (failure) {
      error = `the node could not warm the version: ${failure instanceof Error ? failure.message : String(failure)}`;
    }
    await this.#api.reportWarmUp(job.id, { node: this.#node, error, startupMs });
  }
}
