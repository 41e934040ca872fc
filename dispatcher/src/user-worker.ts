import { WorkerEntrypoint } from 'cloudflare:workers';
import { matchingAsset } from './bindings/assets.ts';
import type { HostEnv, HostExports } from './config.ts';
import { ControlPlaneClient, type WorkerCode } from './control-plane-client.ts';
import { workerThrewException } from './error-pages.ts';
import { WorkerNotFoundError } from './worker-not-found.ts';
import { loaderCode, userEnv, type BindingOwner } from './loaded-code.ts';
import { closeRequestContext, openRequestContext } from './request-contexts.ts';
import { requestFinished, requestStarted, versionLoaded } from './runner-activity.ts';
import { liveVersion, versionCode } from './script-cache.ts';

export interface UserWorkerProps {
  namespace: string;
  script: string;
  limits?: { cpuMs?: number; subRequests?: number };
  outbound?: Record<string, unknown>;
}


/**
 * Serves one request with a customer script: resolves the live version, serves a matching asset
 * without waking the script, else runs the version in its own isolate (loaded once per version
 * through the Worker Loader) and answers 1101 if it throws.
 */
export async function serveUserWorker(
  env: HostEnv,
  exports: HostExports,
  props: UserWorkerProps,
  request: Request,
  requestId: string = crypto.randomUUID(),
): Promise<Response> {
  const { namespace, script } = props;
  const client = new ControlPlaneClient(env.CONTROL, env.SWITCHYARD);
  const versionId = await liveVersion(client, namespace, script);
  if (!versionId) throw new WorkerNotFoundError(namespace, script);
  const code = await versionCode(client, versionId);
  if (code.assets && code.assets.config.run_worker_first !== true) {
    const asset = await matchingAsset(client, code, request);
    if (asset) return asset;
  }
  const worker = loadedWorker(env, exports, { namespace, script, versionId }, code);
  openRequestContext(requestId, props);
  requestStarted(requestId);
  try {
    return await worker.getEntrypoint(undefined, { props: { requestId } }).fetch(request);
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(JSON.stringify({ event: 'worker_exception', namespace, script, versionId, error: detail }));
    return workerThrewException();
  } finally {
    requestFinished(requestId);
    closeRequestContext(requestId);
  }
}

/** The version's isolate from the runner's Worker Loader, started from its code if not cached. */
export function loadedWorker(env: HostEnv, exports: HostExports, owner: BindingOwner, code: WorkerCode): WorkerStub {
  return env.LOADER.get(owner.versionId, () => {
    versionLoaded(owner.versionId);
    // Tail events cost an invocation each, so only scripts that turned logs on get them.
    const tails = code.logs ? [exports.LogTail({ props: owner })] : [];
    return loaderCode(code, userEnv(code, exports, owner), exports.Outbound({ props: {} }), false, tails);
  });
}

/** A customer script as a Fetcher that can cross into other isolates (service bindings). */
export class UserWorker extends WorkerEntrypoint<HostEnv, UserWorkerProps> {
  fetch(request: Request): Promise<Response> {
    return serveUserWorker(this.env, this.ctx.exports as unknown as HostExports, this.ctx.props, request);
  }
}
