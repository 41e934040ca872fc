import type { Invocation } from '@switchyard/protocol';

/**
 * What the platform knows about each invocation a user worker is serving, keyed by its
 * unguessable id, which the worker's isolate attaches to its subrequests. The outbound guard looks
 * the id up to apply that invocation's limits and outbound parameters: a subrequest without a
 * live id is refused.
 */
export interface RequestContext {
  invocation: Invocation;
  /** Subrequests made so far: shared by an invocation and every script it calls through service bindings. */
  subrequests: { made: number };
  /** Set when the invocation is done; subrequests from `waitUntil` work stay allowed a while after. */
  expiresAt: number | null;
}

const contexts = new Map<string, RequestContext>();
const graceAfterResponseMs = 30_000;
let nextSweep = 0;

/** Opens an invocation's context; a service-binding callee shares its caller's subrequest count. */
export function openRequestContext(invocation: Invocation, caller?: RequestContext): void {
  const now = Date.now();
  if (now >= nextSweep) {
    for (const [id, context] of contexts) if (context.expiresAt !== null && context.expiresAt < now) contexts.delete(id);
    nextSweep = now + 1000;
  }
  contexts.set(invocation.id, { invocation, subrequests: caller?.subrequests ?? { made: 0 }, expiresAt: null });
}

export function closeRequestContext(id: string): void {
  const context = contexts.get(id);
  if (context) context.expiresAt = Date.now() + graceAfterResponseMs;
}

export function findRequestContext(id: string | null): RequestContext | null {
  if (!id) return null;
  const context = contexts.get(id);
  if (!context || (context.expiresAt !== null && context.expiresAt < Date.now())) return null;
  return context;
}

export const defaultSubrequestLimit = 1000;

/** Counts one more subrequest of the invocation; throws (as Cloudflare does) past its limit. */
export function countSubrequest(context: RequestContext): void {
  const limit = context.invocation.limits.subRequests ?? defaultSubrequestLimit;
  if (++context.subrequests.made > limit) throw new Error('Too many subrequests.');
}
