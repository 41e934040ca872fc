import { WorkerEntrypoint } from 'cloudflare:workers';
import { headers, holdSchema, parseJsonMessage, ProtocolError, refusalBody, runnerPortsMessageSchema, stoppedMessageSchema, type InFlight } from '@switchyard/protocol';
import { hostConfig, type HostEnv } from '../host-env.ts';
import { holdScript, inFlightOn, recordStopped, setRunnerPorts } from './runner-link.ts';

/** The ingress's own entrypoint, on a loopback socket: the node's supervisor and watchdog report here. */
export class IngressAdmin extends WorkerEntrypoint<HostEnv> {
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get(headers.internal) !== hostConfig(this.env).internalSecret) return new Response('forbidden', { status: 403 });
    const url = new URL(request.url);
    try {
      if (request.method === 'POST' && url.pathname === '/runners') {
        setRunnerPorts(parseJsonMessage(runnerPortsMessageSchema, await request.text(), 'runner ports').ports);
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
    } catch (error) {
      if (error instanceof ProtocolError) return Response.json(refusalBody(error), { status: error.status });
      throw error;
    }
    if (url.pathname === '/in-flight') return Response.json(inFlightOn(Number(url.searchParams.get('port'))) satisfies InFlight[]);
    if (url.pathname === '/healthz') return new Response('ok');
    return new Response('not found', { status: 404 });
  }
}
