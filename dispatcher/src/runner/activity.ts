import type { InFlight, Invocation } from '@switchyard/protocol';

/**
 * The invocations this runner is running now, reported in its heartbeat. An invocation runs from
 * its handler's start until its response body is sent and its `waitUntil` work has settled: each
 * of those phases holds it, and it ends when the last hold is released. When the runner gets stuck,
 * the watchdog blames only scripts that were running (or sent to it after its last heartbeat).
 */
interface Running {
  entry: InFlight;
  holds: number;
  /** What the isolate must show to say its background work began or settled (it never sees this). */
  nonce: string;
  background: boolean;
}

const running = new Map<string, Running>();
/** Invocations that ended since the supervisor last read the heartbeat (bounded if it stops reading). */
let ended: InFlight[] = [];
const maxEnded = 10_000;

/** Starts an invocation; returns the release of its handler phase and the nonce its isolate is given. */
export function invocationStarted(invocation: Invocation): { release: () => void; nonce: string } {
  const { id, accountId, namespace, script, limits } = invocation;
  const record: Running = { entry: { invocationId: id, accountId, namespace, script, limits, startedAt: Date.now() }, holds: 1, nonce: crypto.randomUUID(), background: false };
  running.set(id, record);
  return { release: holdRelease(id, record), nonce: record.nonce };
}

/** One more hold on a running invocation (its response body being sent); null if it has ended. */
export function holdInvocation(id: string): (() => void) | null {
  const record = running.get(id);
  if (!record) return null;
  record.holds++;
  return holdRelease(id, record);
}

function holdRelease(id: string, record: Running): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--record.holds === 0 && running.get(id) === record) {
      running.delete(id);
      if (ended.length >= maxEnded) ended.shift();
      ended.push(record.entry);
    }
  };
}

const backgroundReleases = new Map<string, () => void>();
/** `waitUntil` work ends at most this long after the handler, as on Cloudflare; the hold with it. */
export const backgroundLimitMs = 30_000;

/** The isolate says an invocation has `waitUntil` work: it holds the invocation until it settles. */
export function backgroundBegan(id: string, nonce: string): boolean {
  const record = running.get(id);
  if (!record || record.nonce !== nonce || record.background) return false;
  record.background = true;
  record.holds++;
  const release = holdRelease(id, record);
  const timer = setTimeout(() => backgroundSettled(id, nonce), backgroundLimitMs + 1000);
  backgroundReleases.set(id, () => {
    clearTimeout(timer);
    release();
  });
  return true;
}

export function backgroundSettled(id: string, nonce: string): void {
  const record = running.get(id);
  if (!record || record.nonce !== nonce) return;
  backgroundReleases.get(id)?.();
  backgroundReleases.delete(id);
}

export const runningInvocations = (): InFlight[] => [...running.values()].map((record) => record.entry);

/** The invocations that ended since the last call (each heartbeat read takes them). */
export function takeEnded(): InFlight[] {
  const taken = ended;
  ended = [];
  return taken;
}

/** Versions this runner has started an isolate for: what its memory grows with. */
const loaded = new Set<string>();
export const versionLoaded = (versionId: string) => void loaded.add(versionId);
export const isVersionLoaded = (versionId: string) => loaded.has(versionId);
export const loadedVersions = () => loaded.size;

/** What an event invocation printed, kept until its invoke door takes it (bounded). */
export const maxOutputLines = 100;
export const maxOutputLineLength = 1000;
const outputs = new Map<string, string[]>();

export function recordOutput(id: string, nonce: string, lines: unknown): void {
  const record = running.get(id);
  if (!record || record.nonce !== nonce || !Array.isArray(lines)) return;
  outputs.set(id, lines.slice(0, maxOutputLines).map((line) => String(line).slice(0, maxOutputLineLength)));
}

export function takeOutput(id: string): string[] {
  const lines = outputs.get(id) ?? [];
  outputs.delete(id);
  return lines;
}
