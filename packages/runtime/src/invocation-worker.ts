import type { InvocationJob, ReadApiClient } from '@switchyard/protocol';
import type { DataPlane } from './data-plane.ts';
import type { NodeParts } from './node-parts.ts';
import { PollLoop } from './poll-loop.ts';

/**
 * Takes the invocations the control plane asks this node to run (cron firings), runs each through
 * the invoke door of the runner that serves its script, and reports how it ended.
 */
export class InvocationWorker {
  readonly #api: ReadApiClient;
  readonly #dataPlane: DataPlane;
  readonly #node: string;
  readonly #loop = new PollLoop('taking invocation jobs', async (waitMs, signal) => {
    const { jobs } = await this.#api.invocationJobs(this.#node, waitMs, signal);
    for (const job of jobs) void this.#run(job).catch((error) => console.error(`[node] invocation ${job.id}:`, error instanceof Error ? error.message : error));
  });

  constructor({ api, dataPlane, node }: NodeParts) {
    [this.#api, this.#dataPlane, this.#node] = [api, dataPlane, node];
  }

  start = () => this.#loop.start();
  stop = () => this.#loop.stop();

  async #run(job: InvocationJob): Promise<void> {
    const started = Date.now();
    try {
      const result = await this.#dataPlane.invoke(job.invocation, job.event);
      await this.#api.reportInvocation(job.id, { node: this.#node, result, error: null, durationMs: Date.now() - started });
    } catch (failure) {
      const error = `the node could not run it: ${failure instanceof Error ? failure.message : String(failure)}`;
      await this.#api.reportInvocation(job.id, { node: this.#node, result: null, error, durationMs: Date.now() - started });
    }
  }
}
