import { headers, internalHeaderPrefix, runnerSlot, type DispatchLimits, type Hold, type InFlight, type Invocation, type RunnerPortsMessage, type StopReason } from '@switchyard/protocol';
import { exceededResourceLimits, heldBack, requestTooLarge, responseTooLarge, runnerRestarted } from '../error-pages.ts';
import { hostConfig, type HostEnv } from '../host-env.ts';
import { WorkerNotFoundError } from '../worker-not-found.ts';

/** Which script a dispatch call runs, and under what. */
export interface DispatchTarget {
  accountId: string;
  namespace: string;
  script: string;
  limits: DispatchLimits;
  outbound: Record<string, unknown> | null;
}

/**
 * The ingress's side of the runners: which loopback port each shared runner listens on, which
 * scripts run alone on a solo runner (suspects; a null port while it starts), which invocations
 * the watchdog stopped (answered 1102 when blamed, retried when merely caught in the restart), and
 * which scripts are held back after repeated strikes. The supervisor keeps these up to date
 * through the ingress admin.
 */
let runnerPorts: number[] | null = null;
let soloPorts = new Map<string, number | null>();
const stopped = new Map<string, { reason: StopReason | null; at: number }>();
const holds = new Map<string, number>();
/** Invocations sent and not yet answered, so the watchdog can tell which one a stuck runner is running. */
const inFlight = new Map<string, InFlight & { port: number }>();
/**
 * The invocations answered last, with when, in a ring (no allocation per request beyond the entry
 * itself): one answered after a runner's last heartbeat may still be running there (its
 * `waitUntil` work, say) and the runner could not say so.
 */
const answeredRing: ((InFlight & { port: number }) | undefined)[] = new Array(4096);
const answeredAt = new Float64Array(answeredRing.length);
let answeredNext = 0;

/** What the runner on `port` may be running: what it was sent and has not answered, and what it answered since `since`. */
export function inFlightOn(port: number, since: number): InFlight[] {
  const strip = ({ invocationId, accountId, namespace, script, limits, startedAt }: InFlight): InFlight => ({ invocationId, accountId, namespace, script, limits, startedAt });
  const recent: InFlight[] = [];
  for (let i = 0; i < answeredRing.length; i++) {
    const entry = answeredRing[i];
    if (entry && entry.port === port && answeredAt[i] >= since) recent.push({ ...strip(entry), answered: true });
  }
  return [...[...inFlight.values()].filter((entry) => entry.port === port).map(strip), ...recent];
}

function answeredNow(id: string): void {
  const entry = inFlight.get(id);
  if (!entry) return;
  inFlight.delete(id);
  answeredRing[answeredNext] = entry;
  answeredAt[answeredNext] = Date.now();
  answeredNext = (answeredNext + 1) % answeredRing.length;
}

const scriptKey = (accountId: string, namespace: string, script: string) => `${accountId}\u0000${namespace}\u0000${script}`;

export function setRunnerRoutes(routes: RunnerPortsMessage): void {
  runnerPorts = routes.ports;
  soloPorts = new Map(routes.solo.map((solo) => [scriptKey(solo.accountId, solo.namespace, solo.script), solo.port]));
}

export function recordStopped(invocationId: string, reason: StopReason | null): void {
  const now = Date.now();
  for (const [id, entry] of stopped) if (entry.at < now - 60_000) stopped.delete(id);
  stopped.set(invocationId, { reason, at: now });
}

export function holdScript(hold: Hold): void {
  holds.set(scriptKey(hold.accountId, hold.namespace, hold.script), hold.until);
}

/**
 * The watchdog's record for an invocation whose runner connection broke. A runner killed for CPU
 * is reported before the kill; one that died of memory is reported just after, so wait briefly.
 */
async function stopRecord(invocationId: string): Promise<{ reason: StopReason | null } | null> {
  for (let waited = 0; waited <= 300; waited += 20) {
    const record = stopped.get(invocationId);
    if (record) return record;
    await scheduler.wait(20);
  }
  return null;
}

/**
 * The runners a script's request may go to: its solo runner while it is a suspect (waiting, up to
 * `deadline`, while that starts), else every shared runner, starting with the script's own (so its
 * isolate stays warm in one place).
 */
async function portsFor(env: HostEnv, target: DispatchTarget, deadline: number): Promise<number[]> {
  const key = scriptKey(target.accountId, target.namespace, target.script);
  while (soloPorts.has(key)) {
    const port = soloPorts.get(key);
    if (port) return [port];
    if (Date.now() > deadline) return [];
    await scheduler.wait(20);
  }
  for (;;) {
    const ports = runnerPorts ?? hostConfig(env).runnerPorts;
    const first = runnerSlot(target.accountId, target.namespace, target.script, ports.length);
    // A runner being replaced has port 0 until its replacement is up.
    const live = ports.map((_, i) => ports[(first + i) % ports.length]).filter((port) => port !== 0);
    if (live.length > 0 || Date.now() > deadline) return live;
    await scheduler.wait(20);
  }
}

/**
 * Sends a request for a customer script to its runner and returns the runner's response. A
 * request whose runner was killed by the watchdog for it is answered 1102; others caught in the
 * same restart are retried on another runner when they have no body, else answered 1105.
 */
export async function forwardToRunner(env: HostEnv, target: DispatchTarget, request: Request): Promise<Response> {
  const { maxRequestBytes, maxResponseBytes } = hostConfig(env);
  if (Number(request.headers.get('content-length') ?? 0) > maxRequestBytes) return requestTooLarge(maxRequestBytes);
  // A body without a length is counted as it streams; one that passes the limit is answered 413,
  // whatever the script made of its cut-off body.
  const streamed = request.body && !request.headers.has('content-length') ? limitBody(request, maxRequestBytes) : null;
  const response = await forward(env, target, streamed?.request ?? request);
  if (streamed?.exceeded()) return requestTooLarge(maxRequestBytes);
  const length = response.headers.get('content-length');
  if (length !== null) return Number(length) > maxResponseBytes ? responseTooLarge(maxResponseBytes) : response;
  if (!response.body) return response;
  return new Response(response.body.pipeThrough(byteLimit(maxResponseBytes, 'response')), response);
}

/** A stream that fails once more than `limit` bytes went through it (and calls `onExceeded`). */
function byteLimit(limit: number, what: string, onExceeded = () => {}): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) {
        onExceeded();
        controller.error(new Error(`The ${what} body is larger than the ${limit} bytes this platform allows.`));
      } else controller.enqueue(chunk);
    },
  });
}

function limitBody(request: Request, limit: number): { request: Request; exceeded: () => boolean } {
  let exceeded = false;
  const body = request.body!.pipeThrough(byteLimit(limit, 'request', () => (exceeded = true)));
  return { request: new Request(request, { body }), exceeded: () => exceeded };
}

async function forward(env: HostEnv, target: DispatchTarget, request: Request): Promise<Response> {
  const config = hostConfig(env);
  const heldUntil = holds.get(scriptKey(target.accountId, target.namespace, target.script));
  if (heldUntil !== undefined && heldUntil > Date.now()) return heldBack(Math.ceil((heldUntil - Date.now()) / 1000));
  const invocation: Invocation = { ...target, id: crypto.randomUUID() };
  const forwarded = new Headers(request.headers);
  for (const name of [...forwarded.keys()]) if (name.startsWith(internalHeaderPrefix)) forwarded.delete(name);
  forwarded.set(headers.invocation, JSON.stringify(invocation));
  forwarded.set(headers.url, request.url);
  forwarded.set(headers.internal, config.internalSecret);

  const send = async (port: number): Promise<Response | null> => {
    inFlight.set(invocation.id, { port, invocationId: invocation.id, accountId: target.accountId, namespace: target.namespace, script: target.script, limits: target.limits, startedAt: Date.now() });
    try {
      const response = await env.RUNNERS.fetch(`http://127.0.0.1:${port}/`, { method: request.method, headers: forwarded, body: request.body, redirect: 'manual' });
      if (response.headers.get(headers.outcome) === `${config.internalSecret}:not-found`) throw new WorkerNotFoundError(target.namespace, target.script);
      return response;
    } catch (error) {
      if (error instanceof WorkerNotFoundError) throw error;
      const stop = await stopRecord(invocation.id);
      return stop?.reason ? exceededResourceLimits(stop.reason) : null;
    } finally {
      answeredNow(invocation.id);
    }
  };

  const deadline = Date.now() + routeWaitMs;
  if (request.body !== null) {
    const [port] = await portsFor(env, target, deadline);
    return (port ? await send(port) : null) ?? runnerRestarted();
  }
  // A bodiless request is retried on the other runners, and on one that replaced its runner (or a
  // solo runner that took its script) meanwhile.
  const tried = new Set<number>();
  for (let pass = 0; pass < 3; pass++) {
    for (const port of await portsFor(env, target, deadline)) {
      if (tried.has(port)) continue;
      tried.add(port);
      const response = await send(port);
      if (response) return response;
    }
  }
  return runnerRestarted();
}

/** How long a request waits for its script's solo runner to start. */
const routeWaitMs = 15_000;
