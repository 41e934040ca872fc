/**
 * The requests this runner has started and not finished, reported in its heartbeat: a request
 * the ingress sent but the runner had not started by its last heartbeat is queued behind, or is,
 * whatever blocked the runner after that heartbeat.
 */
const started = new Set<string>();

export const requestStarted = (requestId: string) => void started.add(requestId);
export const requestFinished = (requestId: string) => void started.delete(requestId);
export const startedRequests = () => [...started];

/** Versions this runner has started an isolate for: what its memory grows with. */
const loaded = new Set<string>();
export const versionLoaded = (versionId: string) => void loaded.add(versionId);
export const loadedVersions = () => loaded.size;
