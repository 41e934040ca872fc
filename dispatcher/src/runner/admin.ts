import { WorkerEntrypoint } from 'cloudflare:workers';
import { invalidationSchema, parseJsonMessage, type RunnerHeartbeat } from '@switchyard/protocol';
import { forgetEgressRules } from '../../../outbound/src/egress.ts';
import type { HostEnv } from '../host-env.ts';
import { internalOnly } from '../internal-door.ts';
import { loadedVersions, runningInvocations, takeEnded } from './activity.ts';
import { invalidate } from './script-cache.ts';

/**
 * A runner's own entrypoint, on a loopback socket of its own: the supervisor posts invalidations
 * here before a change is acknowledged, and polls the heartbeat that tells its watchdog whether
 * this runner's thread is stuck, and which invocations it is running.
 */
export class Admin extends WorkerEntrypoint<HostEnv> {
  fetch(request: Request): Promise<Response> {
    return internalOnly(this.env, request, async () => {
      const url = new URL(request.url);
      if (request.method === 'POST' && url.pathname === '/invalidate') {
        const change = parseJsonMessage(invalidationSchema, await request.text(), 'invalidation');
        invalidate(change.accountId, change.namespace, change.scripts);
        if (change.scripts === null) forgetEgressRules(change.accountId, change.namespace);
        return new Response('ok');
      }
      if (url.pathname === '/heartbeat') return Response.json({ running: runningInvocations(), ended: takeEnded(), loaded: loadedVersions() } satisfies RunnerHeartbeat);
      if (url.pathname === '/healthz') return new Response('ok');
      return new Response('not found', { status: 404 });
    });
  }
}
