import type { ChangeEvent, ReadApiClient } from '@switchyard/protocol';
import type { DataPlane } from './data-plane.ts';
import type { NodeParts } from './node-parts.ts';
import { namespaceKey, scriptKey, type NodeCache } from './node-cache.ts';
import { PollLoop } from './poll-loop.ts';

/**
 * Follows the control plane's change feed: for each batch of events, re-reads the changed
 * scripts' states and namespaces' egress rules into the cache, makes the runners drop what they
 * cached, holds what is held, warms what changed, and only then asks for more, which tells the
 * API the batch is applied.
 */
export class FeedFollower {
  readonly #api: ReadApiClient;
  readonly #cache: NodeCache;
  readonly #dataPlane: DataPlane;
  readonly #node: string;
  #holdsTaken = false;
  readonly #loop = new PollLoop('following the change feed', (waitMs, signal) => this.#step(waitMs, signal));

  constructor({ api, cache, dataPlane, node }: NodeParts) {
    [this.#api, this.#cache, this.#dataPlane, this.#node] = [api, cache, dataPlane, node];
  }

  /** Catches up once (waiting for nothing), then follows in the background. */
  start = () => this.#loop.start();
  stop = () => this.#loop.stop();

  async #step(waitMs: number, signal: AbortSignal): Promise<void> {
    // On the first contact since the node started, take the API's holds (they may have been set while it was away).
    if (!this.#holdsTaken) {
      this.#cache.setHolds(await this.#api.holds());
      for (const hold of this.#cache.holds) await this.#dataPlane.hold(hold);
      this.#holdsTaken = true;
    }
    const seq = this.#cache.seq;
    const page = await this.#api.changes(seq ?? undefined, this.#node, waitMs, signal);
    if (page.reset) {
      console.error(`[node] the change feed was pruned past sequence ${seq}: dropping cached script states`);
      for (const { accountId, namespace } of this.#cache.resetStates()) await this.#dataPlane.invalidate({ accountId, namespace, scripts: null });
    }
    if (page.events.length > 0) await this.#apply(page.events);
    if (page.last !== seq || page.reset) {
      this.#cache.setSeq(page.last);
      await this.#cache.persist();
    }
  }

  async #apply(events: ChangeEvent[]): Promise<void> {
    const namespaces = new Map<string, { accountId: string; namespace: string; scripts: Set<string> | null }>();
    for (const event of events) {
      const key = namespaceKey(event.accountId, event.namespace);
      const entry = namespaces.get(key) ?? { accountId: event.accountId, namespace: event.namespace, scripts: new Set<string>() };
      if (event.script === null) entry.scripts = null;
      else entry.scripts?.add(event.script);
      namespaces.set(key, entry);
    }
    const warm: { accountId: string; namespace: string; script: string }[] = [];
    for (const [key, { accountId, namespace, scripts }] of namespaces) {
      if (scripts === null) {
        if (this.#cache.hasEgress(key)) this.#cache.setEgress(key, await this.#api.egressRules(accountId, namespace));
      }
      const names = scripts ? [...scripts] : this.#cache.scriptsOf(accountId, namespace);
      for (const script of names) {
        const state = await this.#api.script(accountId, namespace, script);
        if (state) {
          this.#cache.setScript(scriptKey(accountId, namespace, script), state);
          warm.push({ accountId, namespace, script });
        } else this.#cache.deleteScript(scriptKey(accountId, namespace, script));
        this.#cache.setHold({ accountId, namespace, script }, state?.heldUntil ?? null);
        if (state?.heldUntil) await this.#dataPlane.hold({ accountId, namespace, script, until: state.heldUntil });
      }
      await this.#dataPlane.invalidate({ accountId, namespace, scripts: scripts ? [...scripts] : null });
    }
    await this.#cache.persist();
    await Promise.all(warm.map((target) => this.#dataPlane.warm(target).catch((error) => console.error(`[node] warming ${target.namespace}/${target.script}:`, error))));
  }
}
