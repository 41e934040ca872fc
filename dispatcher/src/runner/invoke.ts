import type { Invocation, InvokeEvent, InvokeResult, QueueVerdict, WorkerCode } from '@switchyard/protocol';
import { closeRequestContext, openRequestContext, type RequestContext } from '../../../outbound/src/request-contexts.ts';
import { matchingAsset } from '../bindings/assets/entrypoint.ts';
import { userEnv } from '../bindings/registry.ts';
import { workerThrewException } from '../error-pages.ts';
import { readApi, type HostEnv, type HostExports } from '../host-env.ts';
import { WorkerNotFoundError } from '../worker-not-found.ts';
import { holdInvocation, invocationStarted, isVersionLoaded, takeOutput, versionLoaded } from './activity.ts';
import { activityBinding } from './entry-module.ts';
import { loaderCode } from './loaded-code.ts';
import { liveState, rememberCode, versionCode } from './script-cache.ts';

/** An entrypoint no script can have: asking for it starts the isolate without running a handler. */
const probeEntrypoint = '__switchyard_warm_up_probe__';

/** What the invoke door runs an invocation with. */
export interface InvokeContext {
  env: HostEnv;
  exports: HostExports;
  /** Keeps the door's request alive for work after its response (else workerd drops that work). */
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * What an invocation runs: the version it names, else the script's live one (null code if there
 * is none), and the invocation under its script's own subrequest limit (`limits.subrequests` of its
 * settings) where the dispatch call set none, as the built-in router never does. The script's live
 * state is read once, and only when one of those needs it.
 */
async function resolve({ env }: InvokeContext, given: Invocation): Promise<{ invocation: Invocation; code: WorkerCode | null }> {
  const client = readApi(env);
  const needsState = given.versionId === undefined || given.limits.subRequests === undefined;
  const state = needsState ? await liveState(client, given.accountId, given.namespace, given.script) : null;
  const invocation = given.limits.subRequests === undefined && state?.subrequests ? { ...given, limits: { ...given.limits, subRequests: state.subrequests } } : given;
  const versionId = invocation.versionId ?? state?.versionId;
  const code = versionId ? await versionCode(client, versionId) : null;
  return { invocation, code: code && code.accountId === invocation.accountId ? code : null };
}

/** The version's isolate from the runner's Worker Loader, started from its code if not loaded yet. */
function loadedWorker({ env, exports }: InvokeContext, invocation: Invocation, code: WorkerCode): WorkerStub {
  return env.LOADER.get(code.versionId, () => {
    versionLoaded(code.versionId);
    const owner = { accountId: code.accountId, namespace: invocation.namespace, script: invocation.script, versionId: code.versionId };
    // Tail events cost an invocation each, so only scripts that turned logs on get them.
    const tails = code.logs ? [exports.LogTail({ props: { versionId: code.versionId } })] : [];
    const env = { ...userEnv(code.bindings, { exports, owner, code }), [activityBinding]: exports.InvocationActivity({ props: {} }) };
    return loaderCode(code, env, exports.Outbound({ props: {} }), tails);
  });
}

/** What the script's entrypoint is given: the invocation it runs, and the nonce its reports carry. */
export interface InvocationProps {
  invocationId: string;
  nonce: string;
}

/**
 * Runs `work` as the invocation: its subrequests are counted, and the heartbeat says it is running
 * (until its response body is sent and its background work has settled, which hold it further).
 */
async function asInvocation<T>(invocation: Invocation, work: (props: InvocationProps) => Promise<T>, caller?: RequestContext): Promise<T> {
  openRequestContext(invocation, caller);
  const { release, nonce } = invocationStarted(invocation);
  try {
    return await work({ invocationId: invocation.id, nonce });
  } finally {
    release();
    closeRequestContext(invocation.id);
  }
}

/** A body that arrives whole within this many bytes, without waiting, is sent with its length. */
const maxBufferedBytes = 256 * 1024;
/** How long the body may take to arrive whole and still count as not streaming (a streamed body waits longer). */
const readWaitMs = 1;

/**
 * The response with its body sent on behalf of the invocation, which stays running until the body
 * has been read: the script's stream callbacks run as the body is read, and their CPU time is the
 * invocation's. A body that is already there (a string, bytes: what most responses have) is read
 * whole at once and sent with its Content-Length; one that streams is passed on as it arrives.
 */
async function heldWhileSent(context: InvokeContext, invocation: Invocation, response: Response): Promise<Response> {
  if (!response.body) return response;
  const release = holdInvocation(invocation.id);
  if (!release) return response;
  const reader = response.body.getReader();
  const head: Uint8Array[] = [];
  let size = 0;
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  // One timer for the whole body, not one per read: the request path pays for each.
  const waited = scheduler.wait(readWaitMs).then(() => null);
  try {
    while (size <= maxBufferedBytes) {
      pending ??= reader.read();
      const next = await Promise.race([pending, waited]);
      if (next === null) break;
      pending = null;
      if (next.done) {
        release();
        return new Response(joined(head, size), response);
      }
      head.push(next.value);
      size += next.value.byteLength;
    }
  } catch (error) {
    release();
    throw error;
  }
  const { readable, writable } = new IdentityTransformStream();
  context.waitUntil(pump(head, pending, reader, writable).finally(release));
  return new Response(readable, response);
}

function joined(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole;
}

async function pump(head: Uint8Array[], pending: Promise<ReadableStreamReadResult<Uint8Array>> | null, reader: ReadableStreamDefaultReader<Uint8Array>, sink: WritableStream<Uint8Array>): Promise<void> {
  const writer = sink.getWriter();
  try {
    for (const part of head) await writer.write(part);
    for (;;) {
      const next = await (pending ?? reader.read());
      pending = null;
      if (next.done) break;
      await writer.write(next.value);
    }
    await writer.close();
  } catch (error) {
    await writer.abort(error).catch(() => undefined);
    await reader.cancel(error).catch(() => undefined);
  }
}

const message = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

function logException(invocation: Invocation, versionId: string, error: unknown): void {
  console.error(JSON.stringify({ event: 'worker_exception', namespace: invocation.namespace, script: invocation.script, versionId, error: message(error) }));
}

/**
 * A `fetch` invocation: serves a matching asset without waking the script, else runs the version
 * in its own isolate and answers 1101 if it throws. A service-binding call names its `caller`.
 */
export async function invokeFetch(context: InvokeContext, given: Invocation, request: Request, caller?: RequestContext): Promise<Response> {
  const { invocation, code } = await resolve(context, given);
  if (!code) throw new WorkerNotFoundError(invocation.namespace, invocation.script);
  if (code.assets && code.assets.config.run_worker_first !== true) {
    const asset = await matchingAsset(readApi(context.env), code, request);
    if (asset) return asset;
  }
  const worker = loadedWorker(context, invocation, code);
  return asInvocation(invocation, async (props) => {
    try {
      return await heldWhileSent(context, invocation, await worker.getEntrypoint(undefined, { props }).fetch(request));
    } catch (error) {
      logException(invocation, code.versionId, error);
      return workerThrewException();
    }
  }, caller);
}

/** The Fetcher methods workerd gives a service with `service_binding_extra_handlers`. */
interface EventFetcher {
  scheduled(options: { scheduledTime: Date; cron: string }): Promise<{ outcome: string }>;
  queue(
    queue: string,
    messages: { id: string; timestamp: Date; body: unknown; attempts: number }[],
  ): Promise<{ outcome: string; ackAll: boolean; retryBatch: { retry: boolean; delaySeconds?: number }; explicitAcks: string[]; retryMessages: { msgId: string; delaySeconds?: number }[] }>;
}

/** Every event type but `fetch`: cron triggers, queue batches, and warm-ups of the exact version that will serve. */
export async function invokeEvent(context: InvokeContext, given: Invocation, event: InvokeEvent): Promise<InvokeResult> {
  if (event.type === 'warm-up' && event.code) {
    if (event.code.versionId !== given.versionId || event.code.accountId !== given.accountId) {
      return { outcome: 'exception', versionId: null, message: 'A warm-up with code must name that code\'s version and account.' };
    }
    rememberCode(event.code);
  }
  const { invocation, code } = await resolve(context, given);
  if (!code) return { outcome: 'not-found', message: new WorkerNotFoundError(invocation.namespace, invocation.script).message };
  const versionId = code.versionId;
  if (event.type === 'warm-up') return warmUp(context, invocation, code);
  const worker = loadedWorker(context, invocation, code);
  return asInvocation(invocation, async (props): Promise<InvokeResult> => {
    const entrypoint = worker.getEntrypoint(undefined, { props }) as unknown as EventFetcher;
    const withOutput = (result: InvokeResult): InvokeResult => ('versionId' in result ? { ...result, output: takeOutput(invocation.id) } : result);
    try {
      if (event.type === 'scheduled') {
        const { outcome } = await entrypoint.scheduled({ cron: event.cron, scheduledTime: new Date(event.scheduledTime) });
        return withOutput(outcome === 'ok' ? { outcome: 'ok', versionId } : { outcome: 'exception', versionId, message: handlerFailed('scheduled', outcome) });
      }
      const messages = event.messages.map((m) => ({ id: m.id, timestamp: new Date(m.timestamp), body: m.body, attempts: m.attempts }));
      const result = await entrypoint.queue(event.queue, messages);
      const ids = event.messages.map((m) => m.id);
      if (result.outcome !== 'ok') return withOutput({ outcome: 'exception', versionId, message: handlerFailed('queue', result.outcome) });
      return withOutput({ outcome: 'ok', versionId, queue: queueVerdict(ids, result) });
    } catch (error) {
      logException(invocation, versionId, error);
      return withOutput({ outcome: 'exception', versionId, message: error instanceof Error ? error.message : String(error) });
    }
  });
}

/** workerd reports how a handler ended, not what it threw: the invocation's output has that. */
const handlerFailed = (handler: string, outcome: string) =>
  outcome === 'exception'
    ? `The ${handler} handler threw an exception, or the script has no ${handler} handler; its output shows which.`
    : `The ${handler} handler ended with outcome "${outcome}".`;

/**
 * What a queue handler decided: `retryAll()` retries every message, `ackAll()` acknowledges every
 * one, else each explicit `retry()` or `ack()` counts and the rest are acknowledged, as on Cloudflare.
 */
function queueVerdict(ids: string[], result: Awaited<ReturnType<EventFetcher['queue']>>): QueueVerdict {
  if (result.retryBatch.retry) return { acked: [], retried: ids.map((id) => ({ id, delaySeconds: result.retryBatch.delaySeconds })) };
  if (result.ackAll) return { acked: ids, retried: [] };
  const retried = new Map(result.retryMessages.map((m) => [m.msgId, m.delaySeconds]));
  return {
    acked: ids.filter((id) => !retried.has(id)),
    retried: [...retried].filter(([id]) => ids.includes(id)).map(([id, delaySeconds]) => ({ id, delaySeconds })),
  };
}

/**
 * Loads the version in this runner's loader under its own id and evaluates its modules without
 * calling a handler: asking for an entrypoint that cannot exist makes workerd start the worker (so
 * syntax and top-level errors surface), then fail to find the entrypoint, which means it started.
 */
async function warmUp(context: InvokeContext, invocation: Invocation, code: WorkerCode): Promise<InvokeResult> {
  const started = Date.now();
  const wasLoaded = isVersionLoaded(code.versionId);
  try {
    await loadedWorker(context, invocation, code).getEntrypoint(probeEntrypoint).fetch('http://warm-up/');
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (!text.includes(probeEntrypoint)) return { outcome: 'exception', versionId: code.versionId, message: text };
  }
  return { outcome: 'ok', versionId: code.versionId, startupMs: wasLoaded ? 0 : Date.now() - started };
}
