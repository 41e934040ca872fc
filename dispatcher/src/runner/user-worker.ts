import { WorkerEntrypoint } from 'cloudflare:workers';
import { headers } from '@switchyard/protocol';
import { countSubrequest, findRequestContext } from '../../../outbound/src/request-contexts.ts';
import type { HostEnv, HostExports } from '../host-env.ts';
import { invokeFetch } from './invoke.ts';

export interface UserWorkerProps {
  accountId: string;
  namespace: string;
  script: string;
}

/**
 * A customer script as a Fetcher that can cross into other isolates: a service binding. A call is
 * a subrequest of the invocation that made it (the caller's isolate tags it, as it tags `fetch`):
 * it counts toward the caller's subrequest limit, and the callee runs under the caller's dispatch
 * limits and outbound parameters, so a binding (even to itself) is no way around them.
 */
export class UserWorker extends WorkerEntrypoint<HostEnv, UserWorkerProps> {
  fetch(request: Request): Promise<Response> {
    const caller = findRequestContext(request.headers.get(headers.subrequestOf));
    if (!caller) throw new Error(`Switchyard refused the call to service "${this.ctx.props.script}": it was not made while serving a request.`);
    countSubrequest(caller);
    const invocation = { ...this.ctx.props, id: crypto.randomUUID(), limits: caller.invocation.limits, outbound: caller.invocation.outbound };
    const forwarded = new Request(request);
    forwarded.headers.delete(headers.subrequestOf);
    const context = { env: this.env, exports: this.ctx.exports as unknown as HostExports, waitUntil: (promise: Promise<unknown>) => this.ctx.waitUntil(promise) };
    return invokeFetch(context, invocation, forwarded, caller);
  }
}
