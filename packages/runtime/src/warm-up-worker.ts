import type { ReadApiClient, WarmUpJob } from '@switchyard/protocol';
import type { DataPlane } from './data-plane.ts';
import type { NodeParts } from './node-parts.ts';
import type { NodeCache } from './node-cache.ts';
import { PollLoop } from './poll-loop.ts';

/**
 * Takes the control plane's warm-up jobs (uploads being checked): keeps the code on disk, loads
 * it on the runner that will serve it under its final version id, and reports whether it started.
 */
export class WarmUpWorker {
  readonly #api: ReadApiClient;
  readonly #cache: NodeCache;
  readonly #dataPlane: DataPlane;
  readonly #node: string;
  readonly #loop = new PollLoop('taking warm-up jobs', async (waitMs, signal) => {
    const { jobs } = await this.#api.warmUps(this.#node, waitMs, signal);
    // Each job runs on its own, so one slow start-up does not hold the next upload back.
    for (const job of jobs) void this.#run(job).catch((error) => console.error(`[node] warm-up ${job.id}:`, error instanceof Error ? error.message : error));
  });

  constructor({ api, cache, dataPlane, node }: NodeParts) {
    [this.#api, this.#cache, this.#dataPlane, this.#node] = [api, cache, dataPlane, node];
  }

  /** Registers with the API at once (a poll that waits for nothing), then polls in the background. */
  start = () => this.#loop.start();
  stop = () => this.#loop.stop();

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
