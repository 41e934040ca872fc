import type { HostEnv } from './config.ts';
import { exceededResourceLimits, heldBack, requestTooLarge, responseTooLarge, runnerRestarted } from './error-pages.ts';
import { outcomeHeader, targetHeader, type RunnerTarget } from './runner-protocol.ts';
import { runnerSlot } from './runner-slot.ts';
import type { UserWorkerProps } from './user-worker.ts';
import { WorkerNotFoundError } from './worker-not-found.ts';

/**
 * The ingress's side of the runners: which loopback port each runner slot listens on, which
 * requests the watchdog stopped (so they are answered 1102, not as a crash), and which scripts are
 * held back after repeated strikes. The runtime keeps these up to date through the ingress admin.
 */
let runnerPorts: number[] | null = null;
const stopped = new Map<string, { reason: 'cpu' | 'memory'; at: number }>();
const holds = new Map<string, number>();
/** Requests forwarded and not yet answered, so the watchdog can tell which one a stuck runner is running. */
const inFlight = new Map<string, { port: number; namespace: string; script: string; cpuMs: number | null; startedAt: number }>();

export function inFlightOn(port: number) {
  return [...inFlight.entries()].filter(([, entry]) => entry.port === port).map(([requestId, entry]) => ({ requestId, ...entry }));
}

const scriptKey = (namespace: string, script: string) => `${namespace}\u0000${script}`;

export function setRunnerPorts(ports: number[]): void {
  runnerPorts = ports;
}

export function recordStopped(requestId: string, reason: 'cpu' | 'memory'): void {
  const now = Date.now();
  for (const [id, entry] of stopped) if (entry.at < now - 60_000) stopped.delete(id);
  stopped.set(requestId, { reason, at: now });
}

export function holdScript(namespace: string, script: string, until: number): void {
  holds.set(scriptKey(namespace, script), until);
}

/**
 * The watchdog's record for a request whose runner connection broke. A runner killed for CPU is
 * reported before the kill; one that died of memory is reported just after, so wait briefly.
 */
async function stopRecord(requestId: string): Promise<{ reason: 'cpu' | 'memory' } | null> {
  for (let waited = 0; waited <= 300; waited += 20) {
    const record = stopped.get(requestId);
    if (record) return record;
    await scheduler.wait(20);
  }
  return null;
}

/** Every runner slot, starting with the script's own (so its isolate stays warm in one place). */
function slotsFor(ports: number[], namespace: string, script: string): number[] {
  const first = runnerSlot(namespace, script, ports.length);
  return ports.map((_, i) => ports[(first + i) % ports.length]);
}

/**
 * Sends a request for a customer script to its runner and returns the runner's response. A
 * request whose runner was killed by the watchdog for it is answered 1102; others caught in the
 * same restart are retried on another runner when they have no body, else answered 1105.
 */
export async function forwardToRunner(env: HostEnv, props: UserWorkerProps, request: Request): Promise<Response> {
  const { maxRequestBytes, maxResponseBytes } = env.SWITCHYARD;
  if (Number(request.headers.get('content-length') ?? 0) > maxRequestBytes) return requestTooLarge(maxRequestBytes);
  const response = await forward(env, props, request.body && !request.headers.has('content-length') ? limitBody(request, maxRequestBytes) : request);
  const length = response.headers.get('content-length');
  if (length !== null) return Number(length) > maxResponseBytes ? responseTooLarge(maxResponseBytes) : response;
  if (!response.body) return response;
  return new Response(response.body.pipeThrough(byteLimit(maxResponseBytes, 'response')), response);
}

/** A stream that fails once more than `limit` bytes went through it. */
function byteLimit(limit: number, what: string): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) controller.error(new Error(`The ${what} body is larger than the ${limit} bytes this platform allows.`));
      else controller.enqueue(chunk);
    },
  });
}

function limitBody(request: Request, limit: number): Request {
  return new Request(request, { body: request.body!.pipeThrough(byteLimit(limit, 'request')) });
}

async function forward(env: HostEnv, props: UserWorkerProps, request: Request): Promise<Response> {
  const heldUntil = holds.get(scriptKey(props.namespace, props.script));
  if (heldUntil !== undefined && heldUntil > Date.now()) return heldBack(Math.ceil((heldUntil - Date.now()) / 1000));
  const target: RunnerTarget = { ...props, requestId: crypto.randomUUID(), url: request.url };
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) if (name.startsWith('x-switchyard-')) headers.delete(name);
  headers.set(targetHeader, JSON.stringify(target));
  headers.set('x-switchyard-internal', env.SWITCHYARD.internalSecret);

  const send = async (port: number): Promise<Response | null> => {
    inFlight.set(target.requestId, { port, namespace: props.namespace, script: props.script, cpuMs: props.limits?.cpuMs ?? null, startedAt: Date.now() });
    try {
      const response = await env.RUNNERS.fetch(`http://127.0.0.1:${port}/`, { method: request.method, headers, body: request.body, redirect: 'manual' });
      if (response.headers.get(outcomeHeader) === `${env.SWITCHYARD.internalSecret}:not-found`) throw new WorkerNotFoundError(props.namespace, props.script);
      return response;
    } catch (error) {
      if (error instanceof WorkerNotFoundError) throw error;
      const stop = await stopRecord(target.requestId);
      return stop ? exceededResourceLimits(stop.reason) : null;
    } finally {
      inFlight.delete(target.requestId);
    }
  };

  if (request.body !== null) return (await send(slotsFor(currentPorts(env), props.namespace, props.script)[0])) ?? runnerRestarted();
  // A bodiless request is retried on the other runners, and on one that replaced its runner meanwhile.
  const tried = new Set<number>();
  for (let pass = 0; pass < 2; pass++) {
    for (const port of slotsFor(currentPorts(env), props.namespace, props.script)) {
      if (tried.has(port)) continue;
      tried.add(port);
      const response = await send(port);
      if (response) return response;
    }
  }
  return runnerRestarted();
}

const currentPorts = (env: HostEnv) => runnerPorts ?? env.SWITCHYARD.runnerPorts;
