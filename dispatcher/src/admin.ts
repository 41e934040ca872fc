import { WorkerEntrypoint } from 'cloudflare:workers';
import { compileError } from './compile-check.ts';
import type { HostEnv, HostExports } from './config.ts';
import type { WorkerCode } from './control-plane-client.ts';
import { forgetEgressRules } from './egress.ts';
import { invalidate } from './script-cache.ts';

/**
 * The runtime's own entrypoint, on a loopback socket apart from the ingress: the control plane
 * posts script changes here before it acknowledges them.
 */
export class Admin extends WorkerEntrypoint<HostEnv> {
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get('x-switchyard-internal') !== this.env.SWITCHYARD.internalSecret) return new Response('forbidden', { status: 403 });
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/invalidate') {
      const change = (await request.json()) as { namespace: string; scripts: string[] | null };
      invalidate(change.namespace, change.scripts);
      if (change.scripts === null) forgetEgressRules(change.namespace);
      return new Response('ok');
    }
    if (request.method === 'POST' && url.pathname === '/compile-check') {
      const error = await compileError((await request.json()) as WorkerCode, this.env, this.ctx.exports as unknown as HostExports);
      return Response.json({ error });
    }
    if (url.pathname === '/healthz') return new Response('ok');
    return new Response('not found', { status: 404 });
  }
}
