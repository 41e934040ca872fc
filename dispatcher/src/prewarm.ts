import { probeEntrypoint } from './compile-check.ts';
import type { HostEnv, HostExports } from './config.ts';
import { ControlPlaneClient } from './control-plane-client.ts';
import { liveVersion, versionCode } from './script-cache.ts';
import { loadedWorker } from './user-worker.ts';

/**
 * Starts the isolate of a script's live version in this runner's loader cache, so the first
 * request after a deploy does not pay for it. Like the compile check it evaluates the modules and
 * asks for an entrypoint that cannot exist, so no handler of the script runs.
 */
export async function prewarm(namespace: string, script: string, env: HostEnv, exports: HostExports): Promise<void> {
  const client = new ControlPlaneClient(env.CONTROL, env.SWITCHYARD);
  const versionId = await liveVersion(client, namespace, script);
  if (!versionId) return;
  const worker = loadedWorker(env, exports, { namespace, script, versionId }, await versionCode(client, versionId));
  await worker
    .getEntrypoint(probeEntrypoint)
    .fetch('http://prewarm/')
    .catch(() => undefined);
}
