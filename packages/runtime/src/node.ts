import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReadApiClient, type Invocation, type InvokeEvent, type InvokeResult } from '@switchyard/protocol';
import { DataPlane, type DataPlaneOptions } from './data-plane.ts';
import { FeedFollower } from './feed-follower.ts';
import { LocalReadApi } from './local-read-api.ts';
import { NodeCache, scriptKey } from './node-cache.ts';
import { InvocationWorker } from './invocation-worker.ts';
import { WarmUpWorker } from './warm-up-worker.ts';
import { readDispatchWorkerConfig } from './wrangler-config.ts';

export interface NodeOptions extends Omit<DataPlaneOptions, 'readApiUrl' | 'internalSecret' | 'accountId' | 'dispatchWorker' | 'scriptCpuLimit' | 'activeHolds' | 'onStrike' | 'runDir'> {
  /** The control plane (`SWITCHYARD_CONTROL_URL`) and the token it knows nodes by (`SWITCHYARD_NODE_TOKEN`). */
  controlUrl: string;
  nodeToken: string;
  /** The node's own directory: its id, its cache, its run files. */
  dir: string;
  /** The dispatch worker's account when its config names none (`SWITCHYARD_ACCOUNT_ID`); else the API's default account. */
  accountId?: string;
}

export interface RunningNode {
  id: string;
  ingressUrl: string;
  /** Runs an invocation of any event type through the invoke door of the runner that serves its script. */
  invoke(invocation: Invocation, event: InvokeEvent): Promise<InvokeResult>;
  stop(): Promise<void>;
}

/** A name this node keeps across restarts, so the API recognises it. */
async function nodeId(dir: string): Promise<string> {
  const path = join(dir, 'node-id');
  const existing = await readFile(path, 'utf8').catch(() => '');
  if (existing.trim()) return existing.trim();
  const id = `node-${randomUUID()}`;
  await writeFile(path, id, { mode: 0o600 });
  return id;
}

/** Retries `work` until it succeeds: a node waits for the API it needs on its first start. */
async function untilReachable<T>(what: string, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt === 1 || attempt % 20 === 0) console.error(`[node] waiting for the control plane (${what}): ${error instanceof Error ? error.message : error}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * A data plane node: the supervisor (this process: the runner pool and its watchdog, the local
 * read API and its cache, the change-feed follower and the warm-up worker), an ingress workerd and
 * runner workerds. It talks to the control plane only over HTTP, through packages/protocol, and
 * serves what it last knew while the control plane is down.
 */
export async function startNode(options: NodeOptions): Promise<RunningNode> {
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const id = await nodeId(options.dir);
  const api = new ReadApiClient(fetch, options.controlUrl, { authorization: `Bearer ${options.nodeToken}` });
  const cache = await NodeCache.open(join(options.dir, 'cache'));
  const internalSecret = randomBytes(32).toString('base64url');
  const readApi = new LocalReadApi(cache, api, internalSecret);
  const readApiUrl = await readApi.listen();

  const dispatchWorker = await readDispatchWorkerConfig(options.dispatchWorkerConfig);
  const accountId =
    dispatchWorker.accountId ?? options.accountId ?? (cache.platform ? cache.platform.defaultAccountId : (await untilReachable('platform info', () => readApi.platform())).defaultAccountId);
  const dataPlane = await DataPlane.start({
    ...options,
    readApiUrl,
    internalSecret,
    accountId,
    dispatchWorker,
    scriptCpuLimit: async (account, namespace, script) => (await readApi.scriptState(account, namespace, script).catch(() => null))?.cpuMs ?? null,
    activeHolds: () => cache.holds,
    onStrike: async (strike) => {
      const { heldUntil } = await api.reportStrike(strike);
      if (heldUntil) {
        const { accountId, namespace, script } = strike;
        const key = scriptKey(accountId, namespace, script);
        const state = cache.script(key);
        if (state) cache.setScript(key, { ...state, heldUntil });
        cache.setHold({ accountId, namespace, script }, heldUntil);
        await cache.persist();
      }
      return heldUntil;
    },
    runDir: join(options.dir, 'run'),
  });

  const parts = { api, cache, dataPlane, node: id };
  const follower = new FeedFollower(parts);
  const warmUps = new WarmUpWorker(parts);
  const invocations = new InvocationWorker(parts);
  // Catch up with the feed and register for warm-ups now if the API is up; else serve from the cache and keep trying.
  await Promise.all([follower.start(), warmUps.start(), invocations.start()]).catch((error) => {
    console.error(`[node] the control plane is not reachable (${error instanceof Error ? error.message : error}); serving from the cache until it is`);
  });

  return {
    id,
    ingressUrl: dataPlane.ingressUrl,
    invoke: (invocation, event) => dataPlane.invoke(invocation, event),
    async stop() {
      await Promise.all([follower.stop(), warmUps.stop(), invocations.stop()]);
      await dataPlane.stop();
      await readApi.close();
    },
  };
}
