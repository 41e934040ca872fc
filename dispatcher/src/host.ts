// The ingress module: runs the platform owner's dispatch worker unchanged, with `env` built as
// wrangler would (vars, KV namespaces, dispatch namespaces). Customer scripts never run here:
// `DISPATCHER.get(name).fetch()` forwards to a runner process.
import owner from 'switchyard:owner-dispatch-worker';
import type { HostEnv, HostExports } from './config.ts';
import { DispatchNamespace } from './dispatch-namespace.ts';

export { KvNamespace } from './bindings/kv-namespace.ts';
export { IngressAdmin } from './ingress-admin.ts';

/** Built per request: binding stubs are I/O objects that belong to the request that made them. */
function envFor(env: HostEnv, exports: HostExports): Record<string, unknown> {
  const config = env.SWITCHYARD;
  const built: Record<string, unknown> = { ...config.vars };
  for (const [binding, namespaceId] of Object.entries(config.kvNamespaces)) built[binding] = exports.KvNamespace({ props: { namespaceId } });
  for (const [binding, namespace] of Object.entries(config.dispatchNamespaces)) built[binding] = new DispatchNamespace(env, namespace);
  return built;
}

export default {
  fetch(request: Request, env: HostEnv, ctx: ExecutionContext): Promise<Response> | Response {
    return owner.fetch(request, envFor(env, ctx.exports as unknown as HostExports), ctx);
  },
} satisfies ExportedHandler<HostEnv>;
