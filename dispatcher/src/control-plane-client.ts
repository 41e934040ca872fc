import type { DispatcherConfig } from './config.ts';

/** A module as the control plane hands it over. */
export interface WorkerModule {
  name: string;
  type: 'esModule' | 'commonJsModule' | 'text' | 'data' | 'json' | 'wasm';
  text?: string;
  base64?: string;
}

export interface AssetsConfig {
  html_handling?: 'auto-trailing-slash' | 'force-trailing-slash' | 'drop-trailing-slash' | 'none';
  not_found_handling?: 'none' | '404-page' | 'single-page-application';
  run_worker_first?: boolean | string[];
}

export interface WorkerCode {
  versionId: string;
  script: string;
  format: 'modules' | 'service-worker';
  mainModule: string;
  compatibilityDate: string | null;
  compatibilityFlags: string[];
  modules: WorkerModule[];
  bindings: ({ type: string; name: string } & Record<string, unknown>)[];
  assets: { manifest: Record<string, { hash: string; size: number }>; config: AssetsConfig } | null;
  limits: { cpu_ms?: number };
  logs: boolean;
}

/** Calls the control plane's internal API through the `CONTROL` service binding. */
export class ControlPlaneClient {
  readonly #control: Fetcher;
  readonly #config: DispatcherConfig;

  constructor(control: Fetcher, config: DispatcherConfig) {
    this.#control = control;
    this.#config = config;
  }

  request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-switchyard-internal', this.#config.internalSecret);
    return this.#control.fetch(`http://control${path}`, { ...init, headers });
  }

  /** The live version id of a script, or null when the namespace or script does not exist. */
  async resolveScript(namespace: string, script: string): Promise<string | null> {
    const path = `/scripts/${this.#config.accountId}/${encodeURIComponent(namespace)}/${encodeURIComponent(script)}`;
    const response = await this.request(path);
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`control plane answered ${response.status} resolving ${namespace}/${script}`);
    return ((await response.json()) as { versionId: string }).versionId;
  }

  async workerCode(versionId: string): Promise<WorkerCode> {
    const response = await this.request(`/versions/${versionId}`);
    if (!response.ok) throw new Error(`control plane answered ${response.status} loading version ${versionId}`);
    return (await response.json()) as WorkerCode;
  }

  async egressRules(namespace: string): Promise<{ allow: string[]; deny: string[] }> {
    const response = await this.request(`/egress/${this.#config.accountId}/${encodeURIComponent(namespace)}`);
    if (!response.ok) throw new Error(`control plane answered ${response.status} for egress rules of ${namespace}`);
    return (await response.json()) as { allow: string[]; deny: string[] };
  }

  asset(hash: string): Promise<Response> {
    return this.request(`/assets/${this.#config.accountId}/${hash}`);
  }
}
