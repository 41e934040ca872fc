import type { DispatchLimits, NamespaceRef } from '@switchyard/protocol';
import type { HostEnv } from '../host-env.ts';
import { forwardToRunner, type DispatchTarget } from './runner-link.ts';

export interface DispatchOptions {
  limits?: DispatchLimits;
  outbound?: Record<string, unknown>;
}

/** What `DISPATCHER.get()` returns: a Fetcher whose requests go to the script's runner. */
class DispatchedWorker {
  readonly #env: HostEnv;
  readonly #target: DispatchTarget;

  constructor(env: HostEnv, target: DispatchTarget) {
    this.#env = env;
    this.#target = target;
  }

  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    return forwardToRunner(this.#env, this.#target, request);
  }

  connect(): never {
    throw new Error('connect() is not supported on dispatch namespace workers.');
  }
}

/** `env.DISPATCHER` with Cloudflare's dispatch namespace API: `get(name, args?, options?)`. */
export class DispatchNamespace {
  readonly #env: HostEnv;
  readonly #namespace: NamespaceRef;

  constructor(env: HostEnv, namespace: NamespaceRef) {
    this.#env = env;
    this.#namespace = namespace;
  }

  get(name: string, _args: Record<string, unknown> = {}, options: DispatchOptions = {}): DispatchedWorker {
    if (typeof name !== 'string' || name === '') throw new TypeError('DISPATCHER.get() needs the script name as a non-empty string.');
    return new DispatchedWorker(this.#env, { ...this.#namespace, script: name, limits: options.limits ?? {}, outbound: options.outbound ?? null });
  }
}
