import { WorkerEntrypoint } from 'cloudflare:workers';
import ownerOutbound from 'switchyard:owner-outbound-worker';
import type { HostEnv } from './config.ts';
import { ControlPlaneClient } from './control-plane-client.ts';
import { egressRules, isForbiddenAddress, isOperatorAllowed, normalHost, ruleRefusal } from './egress.ts';
import { findRequestContext, type RequestContext } from './request-contexts.ts';
import { requestIdHeader } from './runner-protocol.ts';

export const defaultSubrequestLimit = 1000;

/** The outbound worker's env: its own vars, then the parameters passed to `DISPATCHER.get()`. */
function outboundEnv(env: HostEnv, context: RequestContext): Record<string, unknown> {
  const { outboundVars, outboundParameters } = env.SWITCHYARD;
  const given = context.outbound ?? {};
  const nested = typeof given.customer_context === 'object' && given.customer_context !== null ? (given.customer_context as Record<string, unknown>) : {};
  const parameters = { ...given, ...nested };
  const allowed = outboundParameters ? Object.fromEntries(Object.entries(parameters).filter(([key]) => outboundParameters.includes(key))) : parameters;
  return { ...outboundVars, ...allowed };
}

const refused = (host: string, reason: string) => new Error(`Switchyard refused the subrequest to ${host}: ${reason}.`);

/**
 * Every `fetch()` a user worker makes arrives here (it is the isolate's global outbound). Checked
 * in order: a live request context, the destination address, the request's subrequest limit, the
 * namespace's egress rules; then the owner's outbound worker sends it on through the host's
 * network service, which reaches public addresses only.
 */
export class Outbound extends WorkerEntrypoint<HostEnv> {
  async fetch(request: Request): Promise<Response> {
    const context = findRequestContext(request.headers.get(requestIdHeader));
    const url = new URL(request.url);
    if (!context) throw refused(url.host, 'it was not made while serving a request');
    if (isForbiddenAddress(url.hostname) && !isOperatorAllowed(url.hostname, this.env.SWITCHYARD.egressAllowCidrs)) throw refused(url.host, 'private, loopback and link-local addresses are not reachable from Workers');
    const limit = context.limits?.subRequests ?? defaultSubrequestLimit;
    if (++context.subrequests > limit) throw new Error('Too many subrequests.');
    const client = new ControlPlaneClient(this.env.CONTROL, this.env.SWITCHYARD);
    const refusal = ruleRefusal(normalHost(url.hostname), await egressRules(client, context.namespace));
    if (refusal) throw refused(url.host, refusal);
    const headers = new Headers(request.headers);
    headers.delete(requestIdHeader);
    return ownerOutbound.fetch(new Request(request, { headers }), outboundEnv(this.env, context), this.ctx);
  }

  connect(): never {
    throw new Error('Switchyard refused a TCP socket: connect() is not available to Workers on this platform.');
  }
}
