import { WorkerEntrypoint } from 'cloudflare:workers';
import type { HostEnv, HostExports } from '../host-env.ts';
import { invokeFetch } from './invoke.ts';

export interface UserWorkerProps {
  accountId: string;
  namespace: string;
  script: string;
}

/** A customer script as a Fetcher that can cross into other isolates (service bindings). */
export class UserWorker extends WorkerEntrypoint<HostEnv, UserWorkerProps> {
  fetch(request: Request): Promise<Response> {
    const invocation = { ...this.ctx.props, id: crypto.randomUUID(), limits: {}, outbound: null };
    const context = { env: this.env, exports: this.ctx.exports as unknown as HostExports, waitUntil: (promise: Promise<unknown>) => this.ctx.waitUntil(promise) };
    return invokeFetch(context, invocation, request);
  }
}
