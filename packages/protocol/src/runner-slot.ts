/**
 * Which runner serves a script: a hash of account, namespace and name over the runner slots, so
 * each version's isolate lives in one runner. The ingress routes with it; the supervisor warms a
 * deploy on the runner it names.
 */
export function runnerSlot(accountId: string, namespace: string, script: string, slots: number): number {
  const key = `${accountId}\u0000${namespace}\u0000${script}`;
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return (hash >>> 0) % slots;
}
