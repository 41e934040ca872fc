/**
 * Which runner serves a script: a hash of namespace and name over the runner slots, so each
 * version's isolate lives in one runner. Shared by the ingress (to route) and the runtime (to
 * pre-warm a deploy on the runner that will serve it).
 */
export function runnerSlot(namespace: string, script: string, slots: number): number {
  const key = `${namespace}\u0000${script}`;
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return (hash >>> 0) % slots;
}
