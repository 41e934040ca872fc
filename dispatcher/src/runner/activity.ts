/**
 * The invocations this runner is running now, reported in its heartbeat: an invocation the
 * ingress sent but the runner had not started by its last heartbeat is queued behind, or is,
 * whatever blocked the runner after that heartbeat.
 */
const running = new Set<string>();

export const invocationStarted = (id: string) => void running.add(id);
export const invocationFinished = (id: string) => void running.delete(id);
export const runningInvocations = () => [...running];

/** Versions this runner has started an isolate for: what its memory grows with. */
const loaded = new Set<string>();
export const versionLoaded = (versionId: string) => void loaded.add(versionId);
export const isVersionLoaded = (versionId: string) => loaded.has(versionId);
export const loadedVersions = () => loaded.size;
