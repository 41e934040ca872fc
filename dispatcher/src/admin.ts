import { WorkerEntrypoint } from 'cloudflare:workers';
import { compileError } from './compile-check.ts';
import { prewarm } from './prewarm.ts';
import type { HostEnv, HostExports } from './config.ts';
import type { WorkerCode } from './control-plane-client.ts';
import { forgetEgressRules } from './egress.ts';
import { loadedVersions, startedRequests } from './runner-activity.ts';
import { invalidate } from './script-cache.ts';

/**
 * A runner's own entrypoint, on a loopback socket of its own: the runtime posts script changes
 * here before the control plane acknowledges them, asks for compile checks, and polls the
 * heartbeat that tells its watchdog whether this runner's thread is stuck.
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
    if (request.method === 'POST' && url.pathname === '/prewarm') {
      const { namespace, script } = (await request.json()) as { namespace: string; script: string };
      await prewarm(namespace, script, this.env, this.ctx.exports as unknown as HostExports);
      return new Response('ok');
    }
    if (url.pathname === '/heartbeat') return Response.json({ started: startedRequests(), loaded: loadedVersions() });
    if (url.pathname === '/healthz') return new Response('ok');
    return new Response('not found', { status: 404 });
  }
}
