/**
 * What this runner is doing, for the watchdog: the request whose user code started last (the one
 * running, if the isolate thread is stuck) and the CPU limit of every request in flight.
 */
export interface Invocation {
  requestId: string;
  namespace: string;
  script: string;
  cpuMs: number;
  startedAt: number;
}

const inFlight = new Map<string, Invocation>();
let last: Invocation | null = null;

export function invocationStarted(invocation: Invocation): void {
  inFlight.set(invocation.requestId, invocation);
  last = invocation;
}

export function invocationEnded(requestId: string): void {
  inFlight.delete(requestId);
}

export function activity() {
  return { inFlight: inFlight.size, last: last && inFlight.has(last.requestId) ? last : null, maxCpuMs: Math.max(0, ...[...inFlight.values()].map((i) => i.cpuMs)) };
}
