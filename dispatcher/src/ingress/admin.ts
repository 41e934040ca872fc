import { WorkerEntrypoint } from 'cloudflare:workers';
import { holdSchema, parseJsonMessage, runnerPortsMessageSchema, stoppedMessageSchema, type InFlight } from '@switchyard/protocol';
import type { HostEnv } from '../host-env.ts';
import { internalOnly } from '../internal-door.ts';
import { holdScript, inFlightOn, recordStopped, setRunnerRoutes } from './runner-link.ts';

/** The ingress's own entrypoint, on a loopback socket: the node's supervisor and watchdog report here. */
export class IngressAdmin extends WorkerEntrypoint<HostEnv> {
  fetch(request: Request): Promise<Response> {
    return internalOnly(this.env, request, async () => {
      const url = new URL(request.url);
      if (request.method === 'POST' && url.pathname === '/runners') {
        setRunnerRoutes(parseJsonMessage(runnerPortsMessageSchema, await request.text(), 'runner ports'));
        return new Response('ok');
      }
      if (request.method === 'POST' && url.pathname === '/stopped') {
        const { invocationId, reason } = parseJsonMessage(stoppedMessageSchema, await request.text(), 'stop report');
        recordStopped(invocationId, reason);
        return new Response('ok');
      }
      if (request.method === 'POST' && url.pathname === '/hold') {
        holdScript(parseJsonMessage(holdSchema, await request.text(), 'hold'));
        return new Response('ok');
      }
      if (url.pathname === '/in-flight') return Response.json(inFlightOn(Number(url.searchParams.get('port')), Number(url.searchParams.get('since') ?? 0)) satisfies InFlight[]);
      if (url.pathname === '/healthz') return new Response('ok');
      return new Response('not found', { status: 404 });
    });
  }
}
