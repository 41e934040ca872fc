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
  /** CPU limit of a request whose dispatch call and script settings set none. */
  defaultCpuMs: number;
  /** Largest request body a script is sent, and largest response body it may answer with (bytes). */
  maxRequestBytes: number;
  maxResponseBytes: number;
  /** Loopback ports of the runner processes, in slot order (the ingress's view; updated by the runtime). */
  runnerPorts: number[];
}

export interface HostEnv {
  SWITCHYARD: DispatcherConfig;
  LOADER: WorkerLoader;
  CONTROL: Fetcher;
  /** Ingress only: the loopback network the runners listen on. */
  RUNNERS: Fetcher;
}

export type HostExports = Cloudflare.Exports & Record<string, (options?: { props?: unknown }) => Fetcher & Record<string, unknown>>;
