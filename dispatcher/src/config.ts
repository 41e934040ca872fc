/** What the runtime tells the dispatcher, as the `SWITCHYARD` JSON binding. */
export interface DispatcherConfig {
  accountId: string;
  /** Secret for the control plane's internal API. */
  internalSecret: string;
  /** Owner env binding name -> dispatch namespace name (from `dispatch_namespaces`). */
  dispatchNamespaces: Record<string, string>;
  /** Owner env binding name -> Switchyard KV namespace id (from `kv_namespaces`). */
  kvNamespaces: Record<string, string>;
  /** Plain vars of the owner's dispatch worker. */
  vars: Record<string, unknown>;
}

export interface HostEnv {
  SWITCHYARD: DispatcherConfig;
  LOADER: WorkerLoader;
  CONTROL: Fetcher;
}

export type HostExports = Cloudflare.Exports & Record<string, (options?: { props?: unknown }) => Fetcher & Record<string, unknown>>;
