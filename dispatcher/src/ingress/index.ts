// The ingress module: runs the platform owner's dispatch worker unchanged, with `env` built as
// wrangler would (vars, KV namespaces, dispatch namespaces). Customer scripts never run here:
// `DISPATCHER.get(name).fetch()` sends an invocation to a runner process.
import owner from 'switchyard:owner-dispatch-worker';
import { hostConfig, type HostEnv, type HostExports } from '../host-env.ts';
import { DispatchNamespace } from './dispatch-namespace.ts';

export { KvNamespace } from '../bindings/kv-namespace/entrypoint.ts';
export { IngressAdmin } from './admin.ts';

/** Built per request: binding stubs are I/O objects that belong to the request that made them. */
function envFor(env: HostEnv, exports: HostExports): Record<string, unknown> {
  const config = hostConfig(env);
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
