import type { HostExports } from './config.ts';
import type { UserWorkerProps } from './user-worker.ts';

export interface DispatchOptions {
  limits?: UserWorkerProps['limits'];
  outbound?: Record<string, unknown>;
}

/** `env.DISPATCHER` with Cloudflare's dispatch namespace API: `get(name, args?, options?)`. */
export class DispatchNamespace {
  readonly #exports: HostExports;
  readonly #namespace: string;

  constructor(exports: HostExports, namespace: string) {
    this.#exports = exports;
    this.#namespace = namespace;
  }

  get(name: string, _args: Record<string, unknown> = {}, options: DispatchOptions = {}): Fetcher {
    if (typeof name !== 'string' || name === '') throw new TypeError('DISPATCHER.get() needs the script name as a non-empty string.');
    const props: UserWorkerProps = { namespace: this.#namespace, script: name, limits: options.limits, outbound: options.outbound };
    return this.#exports.UserWorker({ props });
  }
}
