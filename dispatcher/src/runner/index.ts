// A runner process's module: runs customer scripts, each version in its own isolate through the
// Worker Loader, for every invocation the node sends through its one invoke door. Runners are
// separate workerd processes so that a script that never yields or exhausts memory takes down only
// its runner, which the supervisor's watchdog replaces, while the ingress and other runners serve on.
import { headers, invocationSchema, invokeEventSchema, parseJsonMessage } from '@switchyard/protocol';
import { hostConfig, type HostEnv, type HostExports } from '../host-env.ts';
import { internalOnly } from '../internal-door.ts';
import { WorkerNotFoundError } from '../worker-not-found.ts';
import { invokeEvent, invokeFetch } from './invoke.ts';

export * from '../bindings/entrypoints.ts';
export { Outbound } from '../../../outbound/src/guard.ts';
export { Admin } from './admin.ts';
export { InvocationActivity } from './invocation-activity.ts';
export { LogTail } from './log-tail.ts';
export { UserWorker } from './user-worker.ts';

/**
 * The tenant's request as the client sent it, without the platform's headers: the runner is reached
 * at a loopback address, so the URL and its Host come from the ingress's `x-switchyard-url`.
 */
function tenantRequest(request: Request): Request {
  const url = request.headers.get(headers.url) ?? request.url;
  const tenantHeaders = new Headers(request.headers);
  for (const name of [headers.internal, headers.invocation, headers.url]) tenantHeaders.delete(name);
  tenantHeaders.set('host', new URL(url).host);
  return new Request(url, { method: request.method, headers: tenantHeaders, body: request.body, redirect: 'manual' });
}

export default {
  /**
   * The invoke door. Every call names its invocation (`x-switchyard-invocation`); a `fetch`
   * invocation is the tenant's request itself, any other carries its event as JSON and is
   * answered with an `InvokeResult`.
   */
  fetch(request: Request, env: HostEnv, ctx: ExecutionContext): Promise<Response> {
    const context = { env, exports: ctx.exports as unknown as HostExports, waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise) };
    const refused = 'This is a Switchyard runner: it serves invocations sent by its node only.\n';
    return internalOnly(env, request, async () => {
      const invocation = parseJsonMessage(invocationSchema, request.headers.get(headers.invocation) ?? '', 'invocation');
      const eventType = request.headers.get(headers.event);
      if (eventType !== null) {
        const event = parseJsonMessage(invokeEventSchema, await request.text(), `${eventType} event`);
        return Response.json(await invokeEvent(context, invocation, event));
      }
      try {
        return await invokeFetch(context, invocation, tenantRequest(request));
      } catch (error) {
        if (!(error instanceof WorkerNotFoundError)) throw error;
        return new Response(error.message, { status: 404, headers: { [headers.outcome]: `${hostConfig(env).internalSecret}:not-found` } });
      }
    }, refused);
  },
} satisfies ExportedHandler<HostEnv>;
