import type * as z from 'zod';
import {
  changePageSchema,
  egressRulesSchema,
  holdListSchema,
  kvKeyListSchema,
  platformInfoSchema,
  readApiPaths,
  scriptStateSchema,
  strikeAnswerSchema,
  versionAnswerSchema,
  warmUpJobListSchema,
  invocationJobListSchema,
  type InvocationReport,
  type LogBatch,
  type StrikeReport,
  type WarmUpVerdict,
} from './read-api.ts';
import { headers } from './names.ts';
import { parseJsonMessage, ProtocolError, refusalCodes } from './refusal.ts';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * Calls the read API, parsing every answer with its schema. Workers reach their node's API through
 * the `CONTROL` service binding with the node's internal secret; a node reaches the control plane
 * with its node token.
 */
export class ReadApiClient {
  readonly #fetch: FetchLike;
  readonly #origin: string;
  readonly #credentials: Record<string, string>;

  constructor(fetch: FetchLike, origin: string, credentials: Record<string, string>) {
    this.#fetch = fetch;
    this.#origin = origin.replace(/\/+$/, '');
    this.#credentials = credentials;
  }

  /** A raw call with the credentials set; the caller reads the answer. */
  request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.#credentials)) headers.set(name, value);
    return this.#fetch(`${this.#origin}${path}`, { ...init, headers });
  }

  async #json<S extends z.ZodType>(path: string, schema: S, what: string, init?: RequestInit): Promise<z.output<S>> {
    const response = await this.request(path, init);
    if (!response.ok) throw await upstreamFailure(response, what);
    return parseJsonMessage(schema, await response.text(), what);
  }

  /** As `#json`, but a 404 is an answer: null. */
  async #jsonOrNull<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.output<S> | null> {
    const response = await this.request(path);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await upstreamFailure(response, what);
    return parseJsonMessage(schema, await response.text(), what);
  }

  platform() {
    return this.#json(readApiPaths.platform, platformInfoSchema, 'platform info');
  }

  /** The script's live version, limits and hold, or null when the namespace or script does not exist. */
  script(accountId: string, namespace: string, script: string) {
    return this.#jsonOrNull(readApiPaths.script(accountId, namespace, script), scriptStateSchema, `state of ${namespace}/${script}`);
  }

  version(versionId: string) {
    return this.#jsonOrNull(readApiPaths.version(versionId), versionAnswerSchema, `code of version ${versionId}`);
  }

  egressRules(accountId: string, namespace: string) {
    return this.#json(readApiPaths.egress(accountId, namespace), egressRulesSchema, `egress rules of ${namespace}`);
  }

  asset(accountId: string, hash: string): Promise<Response> {
    return this.request(readApiPaths.asset(accountId, hash));
  }

  kvKeys(namespaceId: string, query: URLSearchParams) {
    return this.#json(`${readApiPaths.kvKeys(namespaceId)}?${query}`, kvKeyListSchema, 'KV key list');
  }

  async appendLogs(batch: LogBatch): Promise<void> {
    const response = await this.request(readApiPaths.logs, jsonBody(batch));
    if (!response.ok) throw await upstreamFailure(response, 'log batch');
    await response.body?.cancel();
  }

  reportStrike(report: StrikeReport) {
    return this.#json(readApiPaths.strikes, strikeAnswerSchema, 'strike answer', jsonBody(report));
  }

  holds() {
    return this.#json(readApiPaths.holds, holdListSchema, 'hold list');
  }

  /** Change events after `after` (none given: where the feed is now); waits up to `waitMs` for one. */
  changes(after: number | undefined, node: string, waitMs: number, signal?: AbortSignal) {
    const query = new URLSearchParams({ node, wait: String(waitMs) });
    if (after !== undefined) query.set('after', String(after));
    return this.#json(`${readApiPaths.changes}?${query}`, changePageSchema, 'change feed page', { signal });
  }

  /** Uploads waiting to be warmed on this node; waits up to `waitMs` for one. */
  warmUps(node: string, waitMs: number, signal?: AbortSignal) {
    const query = new URLSearchParams({ node, wait: String(waitMs) });
    return this.#json(`${readApiPaths.warmUps}?${query}`, warmUpJobListSchema, 'warm-up jobs', { signal });
  }

  async reportWarmUp(id: string, verdict: WarmUpVerdict): Promise<void> {
    const response = await this.request(readApiPaths.warmUpResult(id), jsonBody(verdict));
    if (!response.ok && response.status !== 404) throw await upstreamFailure(response, 'warm-up verdict');
    await response.body?.cancel();
  }

  /** Invocations the control plane asks this node to run; waits up to `waitMs` for one. */
  invocationJobs(node: string, waitMs: number, signal?: AbortSignal) {
    const query = new URLSearchParams({ node, wait: String(waitMs) });
    return this.#json(`${readApiPaths.invocationJobs}?${query}`, invocationJobListSchema, 'invocation jobs', { signal });
  }

  async reportInvocation(id: string, report: InvocationReport): Promise<void> {
    const response = await this.request(readApiPaths.invocationResult(id), jsonBody(report));
    if (!response.ok && response.status !== 404) throw await upstreamFailure(response, 'invocation report');
    await response.body?.cancel();
  }
}

const jsonBody = (value: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

async function upstreamFailure(response: Response, what: string): Promise<ProtocolError> {
  const text = (await response.text().catch(() => '')).slice(0, 300);
  return new ProtocolError(refusalCodes.upstreamFailed, `Reading ${what} failed: ${response.status} ${text}`, 502);
}

/** The node's read API as a platform worker reaches it: through its `CONTROL` service binding, with the node's internal secret. */
export function readApiViaBinding(control: { fetch(url: string, init?: RequestInit): Promise<Response> }, internalSecret: string): ReadApiClient {
  return new ReadApiClient((url, init) => control.fetch(url, init), 'http://control', { [headers.internal]: internalSecret });
}
