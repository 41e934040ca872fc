import { WorkerEntrypoint } from 'cloudflare:workers';
import type { HostEnv } from '../host-env.ts';
import { backgroundBegan, backgroundSettled } from './activity.ts';

/**
 * What a script's isolate tells its runner about an invocation's `waitUntil` work, through a binding
 * the script itself never sees. Each call carries the invocation's nonce, which only the platform's
 * entry module holds, so a script cannot end (or fake) another invocation's background phase.
 */
export class InvocationActivity extends WorkerEntrypoint<HostEnv> {
  began(invocationId: string, nonce: string): boolean {
    return backgroundBegan(invocationId, nonce);
  }

  settled(invocationId: string, nonce: string): void {
    backgroundSettled(invocationId, nonce);
  }
}
