// A runner process's module: runs customer scripts for requests the ingress forwards, each version
// in its own isolate through the Worker Loader. Runners are separate workerd processes so that a
// script that never yields or exhausts memory takes down only its runner, which the runtime's
// watchdog replaces, while the ingress and the other runners keep serving.
import type { HostEnv, HostExports } from './config.ts';
import { outcomeHeader, readTarget, targetHeader } from './runner-protocol.ts';
import { serveUserWorker } from './user-worker.ts';
import { WorkerNotFoundError } from './worker-not-found.ts';

export { Admin } from './admin.ts';
export { Assets } from './bindings/assets.ts';
export { KvNamespace } from './bindings/kv-namespace.ts';
export { LogTail } from './bindings/log-tail.ts';
export { Outbound } from './outbound.ts';
export { UserWorker } from './user-worker.ts';

export default {
  async fetch(request: Request, env: HostEnv, ctx: ExecutionContext): Promise<Response> {
    const target = readTarget(request);
    if (!target || request.headers.get('x-switchyard-internal') !== env.SWITCHYARD.internalSecret) {
      return new Response('This is a Switchyard runner: it serves requests forwarded by the ingress only.\n', { status: 403 });
    }
    const headers = new Headers(request.headers);
    headers.delete(targetHeader);
    headers.delete('x-switchyard-internal');
    const original = new Request(target.url, { method: request.method, headers, body: request.body, redirect: 'manual' });
    try {
      return await serveUserWorker(env, ctx.exports as unknown as HostExports, target, original, target.requestId);
    } catch (error) {
      if (!(error instanceof WorkerNotFoundError)) throw error;
      return new Response(error.message, { status: 404, headers: { [outcomeHeader]: `${env.SWITCHYARD.internalSecret}:not-found` } });
    }
  },
} satisfies ExportedHandler<HostEnv>;
