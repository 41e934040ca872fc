import { WorkerEntrypoint } from 'cloudflare:workers';
import type { HostEnv } from './config.ts';

/**
 * Every `fetch()` a user worker makes arrives here. It leaves through the host's global outbound,
 * a workerd network service that reaches public addresses only.
 */
export class Outbound extends WorkerEntrypoint<HostEnv, { namespace: string; script: string }> {
  async fetch(request: Request): Promise<Response> {
    return fetch(request);
  }
}
