import type { HostEnv, HostExports } from './config.ts';
import { serveUserWorker, type UserWorkerProps } from './user-worker.ts';

export interface DispatchOptions {
  limits?: UserWorkerProps['limits'];
  outbound?: Record<string, unknown>;
}

/**
 * What `DISPATCHER.get()` returns. The dispatch worker and this code share an isolate, so the
 * request is served right here, without another hop through an entrypoint.
 */
class DispatchedWorker {
  readonly #env: HostEnv;
  readonly #exports: HostExports;
  readonly #props: UserWorkerProps;

  constructor(env: HostEnv, exports: HostExports, props: UserWorkerProps) {
    this.#env = env;
    this.#exports = exports;
    this.#props = props;
  }

  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    return serveUserWorker(this.#env, this.#exports, this.#props, request);
  }

  connect(): never {
    throw new Error('connect() is not supported on dispatch namespace workers.');
  }
}

/** `env.DISPATCHER` with Cloudflare's dispatch namespace API: `get(name, args?, options?)`. */
export class DispatchNamespace {
  readonly #env: HostEnv;
  readonly #exports: HostExports;
  readonly #namespace: string;

  constructor(env: HostEnv, exports: HostExports, namespace: string) {
    this.#env = env;
    this.#exports = exports;
    this.#namespace = namespace;
  }

  get(name: string, _args: Record<string, unknown> = {}, options: DispatchOptions = {}): DispatchedWorker {
    if (typeof name !== 'string' || name === '') throw new TypeError('DISPATCHER.get() needs the script name as a non-empty string.');
    return new DispatchedWorker(this.#env, this.#exports, { namespace: this.#namespace, script: name, limits: options.limits, outbound: options.outbound });
  }
}
