import { WorkerEntrypoint } from 'cloudflare:workers';
import type { HostEnv } from '../host-env.ts';
import { backgroundBegan, backgroundSettled, recordOutput } from './activity.ts';

/**
 * What a script's isolate tells its runner about an invocation's `waitUntil` work and output, through a binding
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

  /** What an event invocation printed (and threw), when its handler ended. */
  output(invocationId: string, nonce: string, lines: unknown): void {
    recordOutput(invocationId, nonce, lines);
  }
}
