import type { Invocation } from '@switchyard/protocol';

/**
 * What the platform knows about each invocation a user worker is serving, keyed by its
 * unguessable id, which the worker's isolate attaches to its subrequests. The outbound guard looks
 * the id up to apply that invocation's limits and outbound parameters: a subrequest without a
 * live id is refused.
 */
export interface RequestContext {
  invocation: Invocation;
  subrequests: number;
  /** Set when the invocation is done; subrequests from `waitUntil` work stay allowed a while after. */
  expiresAt: number | null;
}

const contexts = new Map<string, RequestContext>();
const graceAfterResponseMs = 30_000;
let nextSweep = 0;

export function openRequestContext(invocation: Invocation): void {
  const now = Date.now();
  if (now >= nextSweep) {
    for (const [id, context] of contexts) if (context.expiresAt !== null && context.expiresAt < now) contexts.delete(id);
    nextSweep = now + 1000;
  }
  contexts.set(invocation.id, { invocation, subrequests: 0, expiresAt: null });
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
