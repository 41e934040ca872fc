import type { HostEnv } from './config.ts';
import { forwardToRunner } from './runner-link.ts';
import type { UserWorkerProps } from './user-worker.ts';

export interface DispatchOptions {
  limits?: UserWorkerProps['limits'];
  outbound?: Record<string, unknown>;
}

/** What `DISPATCHER.get()` returns: a Fetcher whose requests go to the script's runner. */
class DispatchedWorker {
  readonly #env: HostEnv;
  readonly #props: UserWorkerProps;

  constructor(env: HostEnv, props: UserWorkerProps) {
    this.#env = env;
    this.#props = props;
  }

  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    return forwardToRunner(this.#env, this.#props, request);
  }

  connect(): never {
    throw new Error('connect() is not supported on dispatch namespace workers.');
  }
}

/** `env.DISPATCHER` with Cloudflare's dispatch namespace API: `get(name, args?, options?)`. */
export class DispatchNamespace {
  readonly #env: HostEnv;
  readonly #namespace: string;

  constructor(env: HostEnv, namespace: string) {
    this.#env = env;
    this.#namespace = namespace;
  }

  get(name: string, _args: Record<string, unknown> = {}, options: DispatchOptions = {}): DispatchedWorker {
    if (typeof name !== 'string' || name === '') throw new TypeError('DISPATCHER.get() needs the script name as a non-empty string.');
    return new DispatchedWorker(this.#env, { namespace: this.#namespace, script: name, limits: options.limits, outbound: options.outbound });
  }
}
