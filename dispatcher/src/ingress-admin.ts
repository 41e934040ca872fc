import { WorkerEntrypoint } from 'cloudflare:workers';
import type { HostEnv } from './config.ts';
import { holdScript, inFlightOn, recordStopped, setRunnerPorts } from './runner-link.ts';

/** The ingress's own entrypoint, on a loopback socket: the runtime's watchdog reports here. */
export class IngressAdmin extends WorkerEntrypoint<HostEnv> {
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get('x-switchyard-internal') !== this.env.SWITCHYARD.internalSecret) return new Response('forbidden', { status: 403 });
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/runners') {
      setRunnerPorts(((await request.json()) as { ports: number[] }).ports);
      return new Response('ok');
    }
    if (request.method === 'POST' && url.pathname === '/stopped') {
      const { requestId, reason } = (await request.json()) as { requestId: string; reason: 'cpu' | 'memory' };
      recordStopped(requestId, reason);
      return new Response('ok');
    }
    if (request.method === 'POST' && url.pathname === '/hold') {
      const { namespace, script, until } = (await request.json()) as { namespace: string; script: string; until: number };
      holdScript(namespace, script, until);
      return new Response('ok');
    }
    if (url.pathname === '/in-flight') return Response.json(inFlightOn(Number(url.searchParams.get('port'))));
    if (url.pathname === '/healthz') return new Response('ok');
    return new Response('not found', { status: 404 });
  }
}
