import type { ReadApiClient, ScriptState, WorkerCode } from '@switchyard/protocol';

/**
 * Which version of each script is live, cached in the runner's isolate. The node's supervisor
 * invalidates entries before it acknowledges a change, so the next invocation sees the new
 * version; the time limit only bounds staleness if an invalidation was ever lost.
 */
const liveStates = new Map<string, { state: ScriptState | null; until: number }>();
const codeByVersion = new Map<string, Promise<WorkerCode | null>>();
const maxAgeMs = 30_000;
const maxCodeEntries = 2_000;

const keyOf = (accountId: string, namespace: string, script: string) => `${accountId}\u0000${namespace}\u0000${script}`;

export async function liveState(client: ReadApiClient, accountId: string, namespace: string, script: string): Promise<ScriptState | null> {
  const key = keyOf(accountId, namespace, script);
  const cached = liveStates.get(key);
  if (cached && cached.until > Date.now()) return cached.state;
  const state = await client.script(accountId, namespace, script);
  liveStates.set(key, { state, until: Date.now() + maxAgeMs });
  return state;
}

/** Versions are immutable, so their code is cached until evicted (oldest first). */
export function versionCode(client: ReadApiClient, versionId: string): Promise<WorkerCode | null> {
  let code = codeByVersion.get(versionId);
  if (!code) {
    code = client.version(versionId);
    code.then(
      (found) => found ?? codeByVersion.delete(versionId),
      () => codeByVersion.delete(versionId),
    );
    remember(versionId, code);
  }
  return code;
}

/** Code handed over with a warm-up (an upload being checked): cached as if read. */
export function rememberCode(code: WorkerCode): void {
  if (!codeByVersion.has(code.versionId)) remember(code.versionId, Promise.resolve(code));
}

function remember(versionId: string, code: Promise<WorkerCode | null>): void {
  codeByVersion.set(versionId, code);
  if (codeByVersion.size > maxCodeEntries) codeByVersion.delete(codeByVersion.keys().next().value!);
}

/** Forgets the live state of these scripts (every script of the namespace when null). */
export function invalidate(accountId: string, namespace: string, scripts: string[] | null): void {
  if (scripts) {
    for (const script of scripts) liveStates.delete(keyOf(accountId, namespace, script));
    return;
  }
  const prefix = keyOf(accountId, namespace, '');
  for (const key of liveStates.keys()) if (key.startsWith(prefix)) liveStates.delete(key);
}
