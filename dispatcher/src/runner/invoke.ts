import type { Invocation, InvokeEvent, InvokeResult, QueueVerdict, WorkerCode } from '@switchyard/protocol';
import { closeRequestContext, openRequestContext } from '../../../outbound/src/request-contexts.ts';
import { matchingAsset } from '../bindings/assets/entrypoint.ts';
import { userEnv } from '../bindings/registry.ts';
import { workerThrewException } from '../error-pages.ts';
import { readApi, type HostEnv, type HostExports } from '../host-env.ts';
import { WorkerNotFoundError } from '../worker-not-found.ts';
import { invocationFinished, invocationStarted, isVersionLoaded, versionLoaded } from './activity.ts';
import { loaderCode } from './loaded-code.ts';
import { liveState, rememberCode, versionCode } from './script-cache.ts';

/** An entrypoint no script can have: asking for it starts the isolate without running a handler. */
const probeEntrypoint = '__switchyard_warm_up_probe__';

/** What the invoke door runs an invocation with. */
export interface InvokeContext {
  env: HostEnv;
  exports: HostExports;
}

/** The version an invocation runs: the one it names, else the script's live one; null if there is none. */
async function codeFor({ env }: InvokeContext, invocation: Invocation): Promise<WorkerCode | null> {
  const client = readApi(env);
  const versionId = invocation.versionId ?? (await liveState(client, invocation.accountId, invocation.namespace, invocation.script))?.versionId;
  if (!versionId) return null;
  const code = await versionCode(client, versionId);
  return code && code.accountId === invocation.accountId ? code : null;
}

/** The version's isolate from the runner's Worker Loader, started from its code if not loaded yet. */
function loadedWorker({ env, exports }: InvokeContext, invocation: Invocation, code: WorkerCode): WorkerStub {
  return env.LOADER.get(code.versionId, () => {
    versionLoaded(code.versionId);
    const owner = { accountId: code.accountId, namespace: invocation.namespace, script: invocation.script, versionId: code.versionId };
    // Tail events cost an invocation each, so only scripts that turned logs on get them.
    const tails = code.logs ? [exports.LogTail({ props: { versionId: code.versionId } })] : [];
    return loaderCode(code, userEnv(code.bindings, { exports, owner, code }), exports.Outbound({ props: {} }), tails);
  });
}

/** Runs `work` as the invocation: its subrequests are counted, and the heartbeat says it is running. */
async function asInvocation<T>(invocation: Invocation, work: () => Promise<T>): Promise<T> {
  openRequestContext(invocation);
  invocationStarted(invocation.id);
  try {
    return await work();
  } finally {
    invocationFinished(invocation.id);
    closeRequestContext(invocation.id);
  }
}

const message = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

function logException(invocation: Invocation, versionId: string, error: unknown): void {
  console.error(JSON.stringify({ event: 'worker_exception', namespace: invocation.namespace, script: invocation.script, versionId, error: message(error) }));
}

/**
 * A `fetch` invocation: serves a matching asset without waking the script, else runs the version
 * in its own isolate and answers 1101 if it throws.
 */
export async function invokeFetch(context: InvokeContext, invocation: Invocation, request: Request): Promise<Response> {
  const code = await codeFor(context, invocation);
  if (!code) throw new WorkerNotFoundError(invocation.namespace, invocation.script);
  if (code.assets && code.assets.config.run_worker_first !== true) {
    const asset = await matchingAsset(readApi(context.env), code, request);
    if (asset) return asset;
  }
  const worker = loadedWorker(context, invocation, code);
  return asInvocation(invocation, async () => {
    try {
      return await worker.getEntrypoint(undefined, { props: { invocationId: invocation.id } }).fetch(request);
    } catch (error) {
      logException(invocation, code.versionId, error);
      return workerThrewException();
    }
  });
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
export async function invokeEvent(context: InvokeContext, invocation: Invocation, event: InvokeEvent): Promise<InvokeResult> {
  if (event.type === 'warm-up' && event.code) {
    if (event.code.versionId !== invocation.versionId || event.code.accountId !== invocation.accountId) {
      return { outcome: 'exception', versionId: null, message: 'A warm-up with code must name that code\'s version and account.' };
    }
    rememberCode(event.code);
  }
  const code = await codeFor(context, invocation);
  if (!code) return { outcome: 'not-found', message: new WorkerNotFoundError(invocation.namespace, invocation.script).message };
  const versionId = code.versionId;
  if (event.type === 'warm-up') return warmUp(context, invocation, code);
  const entrypoint = loadedWorker(context, invocation, code).getEntrypoint(undefined, { props: { invocationId: invocation.id } }) as unknown as EventFetcher;
  return asInvocation(invocation, async (): Promise<InvokeResult> => {
    try {
      if (event.type === 'scheduled') {
        const { outcome } = await entrypoint.scheduled({ cron: event.cron, scheduledTime: new Date(event.scheduledTime) });
        return outcome === 'ok' ? { outcome: 'ok', versionId } : { outcome: 'exception', versionId, message: handlerFailed('scheduled', outcome) };
      }
      const messages = event.messages.map((m) => ({ id: m.id, timestamp: new Date(m.timestamp), body: m.body, attempts: m.attempts }));
      const result = await entrypoint.queue(event.queue, messages);
      const ids = event.messages.map((m) => m.id);
      if (result.outcome !== 'ok') return { outcome: 'exception', versionId, message: handlerFailed('queue', result.outcome) };
      return { outcome: 'ok', versionId, queue: queueVerdict(ids, result) };
    } catch (error) {
      logException(invocation, versionId, error);
      return { outcome: 'exception', versionId, message: error instanceof Error ? error.message : String(error) };
    }
  });
}

/** workerd reports how a handler ended, not what it threw: the script's logs have that. */
const handlerFailed = (handler: string, outcome: string) =>
  outcome === 'exception'
    ? `The ${handler} handler threw an exception, or the script has no ${handler} handler; the script's logs show which.`
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
