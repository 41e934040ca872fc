import { WorkerEntrypoint } from 'cloudflare:workers';
import ownerOutbound from 'switchyard:owner-outbound-worker';
import { dispatcherConfig, headers, readApiViaBinding, type DispatcherConfig } from '@switchyard/protocol';
import { egressRules, isForbiddenAddress, isOperatorAllowed, normalHost, ruleRefusal } from './egress.ts';
import { countSubrequest, findRequestContext, type RequestContext } from './request-contexts.ts';

/** The part of a runner's env the guard uses. */
interface GuardEnv {
  SWITCHYARD: unknown;
  CONTROL: Fetcher;
}

/** The outbound worker's env: its own vars, then the parameters passed to `DISPATCHER.get()`. */
function outboundEnv(config: DispatcherConfig, context: RequestContext): Record<string, unknown> {
  const { outboundVars, outboundParameters } = config;
  const given = context.invocation.outbound ?? {};
  const nested = typeof given.customer_context === 'object' && given.customer_context !== null ? (given.customer_context as Record<string, unknown>) : {};
  const parameters = { ...given, ...nested };
  const allowed = outboundParameters ? Object.fromEntries(Object.entries(parameters).filter(([key]) => outboundParameters.includes(key))) : parameters;
  return { ...outboundVars, ...allowed };
}

const refused = (host: string, reason: string) => new Error(`Switchyard refused the subrequest to ${host}: ${reason}.`);

/**
 * Every `fetch()` a user worker makes arrives here (it is the isolate's global outbound). Checked
 * in order: a live invocation, the destination address, the invocation's subrequest limit, the
 * namespace's egress rules; then the owner's outbound worker sends it on through the host's
 * network service, which reaches public addresses only.
 */
export class Outbound extends WorkerEntrypoint<GuardEnv> {
  async fetch(request: Request): Promise<Response> {
    const config = dispatcherConfig(this.env.SWITCHYARD);
    const context = findRequestContext(request.headers.get(headers.subrequestOf));
    const url = new URL(request.url);
    if (!context) throw refused(url.host, 'it was not made while serving a request');
    if (isForbiddenAddress(url.hostname) && !isOperatorAllowed(url.hostname, config.egressAllowCidrs)) {
      throw refused(url.host, 'private, loopback and link-local addresses are not reachable from Workers');
    }
    countSubrequest(context);
    const { accountId, namespace } = context.invocation;
    const refusal = ruleRefusal(normalHost(url.hostname), await egressRules(readApiViaBinding(this.env.CONTROL, config.internalSecret), accountId, namespace));
    if (refusal) throw refused(url.host, refusal);
    const forwarded = new Headers(request.headers);
    forwarded.delete(headers.subrequestOf);
    return ownerOutbound.fetch(new Request(request, { headers: forwarded }), outboundEnv(config, context), this.ctx);
  }

  connect(): never {
    throw new Error('Switchyard refused a TCP socket: connect() is not available to Workers on this platform.');
  }
}
