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
  /** Vars of the owner's outbound worker. */
  outboundVars: Record<string, unknown>;
  /** The outbound parameters the dispatch namespace binding declares, or null to pass all. */
  outboundParameters: string[] | null;
  /** IPv4 CIDRs the operator lets every tenant reach although they are private (SWITCHYARD_EGRESS_ALLOW). */
  egressAllowCidrs: string[];
}

export interface HostEnv {
  SWITCHYARD: DispatcherConfig;
  LOADER: WorkerLoader;
  CONTROL: Fetcher;
}

export type HostExports = Cloudflare.Exports & Record<string, (options?: { props?: unknown }) => Fetcher & Record<string, unknown>>;
