import { dispatcherConfig, readApiViaBinding, type DispatcherConfig, type ReadApiClient } from '@switchyard/protocol';

/** The env the runtime gives the platform's own workers (ingress and runners). */
export interface HostEnv {
  SWITCHYARD: unknown;
  LOADER: WorkerLoader;
  CONTROL: Fetcher;
  /** Ingress only: the loopback network the runners listen on. */
  RUNNERS: Fetcher;
}

export type HostExports = Cloudflare.Exports & Record<string, (options?: { props?: unknown }) => Fetcher & Record<string, unknown>>;

export const hostConfig = (env: HostEnv): DispatcherConfig => dispatcherConfig(env.SWITCHYARD);

/** The node's read API, through the `CONTROL` binding. */
export const readApi = (env: HostEnv): ReadApiClient => readApiViaBinding(env.CONTROL, hostConfig(env).internalSecret);
