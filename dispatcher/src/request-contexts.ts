import type { UserWorkerProps } from './user-worker.ts';

/**
 * What the platform knows about each request a user worker is serving, keyed by an unguessable id
 * that the worker's isolate attaches to its subrequests. The outbound path looks the id up to
 * apply that request's limits and outbound parameters: a subrequest without a live id is refused.
 */
export interface RequestContext extends UserWorkerProps {
  subrequests: number;
  /** Set when the response is done; subrequests from `waitUntil` work stay allowed a while after. */
  expiresAt: number | null;
}

const contexts = new Map<string, RequestContext>();
const graceAfterResponseMs = 30_000;
let nextSweep = 0;

export function openRequestContext(id: string, props: UserWorkerProps): void {
  const now = Date.now();
  if (now >= nextSweep) {
    for (const [id, context] of contexts) if (context.expiresAt !== null && context.expiresAt < now) contexts.delete(id);
    nextSweep = now + 1000;
  }
  contexts.set(id, { ...props, subrequests: 0, expiresAt: null });
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
