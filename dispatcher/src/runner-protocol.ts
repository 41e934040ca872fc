import type { UserWorkerProps } from './user-worker.ts';

/** How the ingress tells a runner which script to run: one JSON header, set only by the ingress. */
export const targetHeader = 'x-switchyard-target';
/** The header a user worker's isolate puts on its subrequests: the id of the request they serve. */
export const requestIdHeader = 'x-switchyard-request';
/** How a runner tells the ingress that no such script exists: value `<internal secret>:not-found`. */
export const outcomeHeader = 'x-switchyard-outcome';

export interface RunnerTarget extends UserWorkerProps {
  requestId: string;
  /** The URL the client asked for; the runner is reached at a loopback address instead. */
  url: string;
}

export function readTarget(request: Request): RunnerTarget | null {
  const raw = request.headers.get(targetHeader);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as RunnerTarget;
  } catch {
    return null;
  }
}
