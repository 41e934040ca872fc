import type { ControlPlaneClient, WorkerCode } from './control-plane-client.ts';

/**
 * Which version of each script is live, cached in the dispatcher's isolate. The control plane
 * invalidates entries before it acknowledges a deploy, so the next request sees the new version;
 * the time limit only bounds staleness if an invalidation was ever lost.
 */
const liveVersions = new Map<string, { versionId: string | null; until: number }>();
const codeByVersion = new Map<string, Promise<WorkerCode>>();
const maxAgeMs = 30_000;
const maxCodeEntries = 2_000;

const keyOf = (namespace: string, script: string) => `${namespace}\u0000${script}`;

export async function liveVersion(client: ControlPlaneClient, namespace: string, script: string): Promise<string | null> {
  const key = keyOf(namespace, script);
  const cached = liveVersions.get(key);
  if (cached && cached.until > Date.now()) return cached.versionId;
  const versionId = await client.resolveScript(namespace, script);
  liveVersions.set(key, { versionId, until: Date.now() + maxAgeMs });
  return versionId;
}

/** Versions are immutable, so their code is cached until evicted (oldest first). */
export function versionCode(client: ControlPlaneClient, versionId: string): Promise<WorkerCode> {
  let code = codeByVersion.get(versionId);
  if (!code) {
    code = client.workerCode(versionId);
    code.catch(() => codeByVersion.delete(versionId));
    codeByVersion.set(versionId, code);
    if (codeByVersion.size > maxCodeEntries) codeByVersion.delete(codeByVersion.keys().next().value!);
  }
  return code;
}

/** Forgets the live version of these scripts (every script of the namespace when null). */
export function invalidate(namespace: string, scripts: string[] | null): void {
  if (scripts) {
    for (const script of scripts) liveVersions.delete(keyOf(namespace, script));
    return;
  }
  const prefix = keyOf(namespace, '');
  for (const key of liveVersions.keys()) if (key.startsWith(prefix)) liveVersions.delete(key);
}
