import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundleDispatcher } from './bundle.ts';
import { egressNetwork } from './egress-network.ts';
import { freePort } from './free-port.ts';
import { workerdBinary } from './workerd-binary.ts';
import { renderConfig, type WorkerdConfig } from './workerd-config.ts';
import { readDispatchWorkerConfig, type DispatchWorkerConfig } from './wrangler-config.ts';

export interface DataPlaneOptions {
  ingress: { host: string; port: number };
  control: { url: string; secret: string };
  accountId: string;
  /** wrangler.toml / wrangler.json(c) of the dispatch worker to run. */
  dispatchWorkerConfig: string;
  /** Vars that override the dispatch worker's own (e.g. BASE_DOMAIN from the environment). */
  varOverrides: Record<string, string>;
  /** KV bindings added to the dispatch worker's own: binding name -> KV namespace id. */
  kvOverrides?: Record<string, string>;
  /** wrangler config of the owner's outbound worker; the default one (outbound/) when absent. */
  outboundWorkerConfig?: string;
  /** IPv4 CIDRs tenants may reach although private (an operator's internal APIs). */
  egressAllowCidrs?: string[];
  runDir: string;
}

export interface ScriptChange {
  namespace: string;
  scripts: string[] | null;
}

const setpriv = '/usr/bin/setpriv';

const hostAddress = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * The traffic side: one workerd process running the dispatch worker, with user workers loaded
 * into isolates of their own through the Worker Loader. Restarted if it dies.
 */
export class DataPlane {
  readonly ingressUrl: string;
  readonly #options: DataPlaneOptions;
  readonly #configPath: string;
  readonly #adminUrl: string;
  #process: ChildProcess | null = null;
  #stopping = false;

  private constructor(options: DataPlaneOptions, ingressPort: number, adminPort: number) {
    this.#options = options;
    this.#configPath = join(options.runDir, 'workerd.capnp');
    this.ingressUrl = `http://${hostAddress(options.ingress.host, ingressPort)}`;
    this.#adminUrl = `http://127.0.0.1:${adminPort}`;
  }

  static async start(options: DataPlaneOptions): Promise<DataPlane> {
    const ingressPort = options.ingress.port || (await freePort(options.ingress.host));
    const adminPort = await freePort('127.0.0.1');
    const dataPlane = new DataPlane(options, ingressPort, adminPort);
    const owner = await readDispatchWorkerConfig(options.dispatchWorkerConfig);
    const outbound = options.outboundWorkerConfig ? await readDispatchWorkerConfig(options.outboundWorkerConfig) : null;
    const wantsOutbound = owner.dispatchNamespaces.find((binding) => binding.outbound);
    if (wantsOutbound && !outbound) {
      throw new Error(
        `${options.dispatchWorkerConfig}: dispatch namespace "${wantsOutbound.namespace}" names outbound worker "${wantsOutbound.outbound!.service}"; set SWITCHYARD_OUTBOUND_WORKER to its wrangler config`,
      );
    }
    const bundle = await bundleDispatcher(owner.main, outbound?.main);
    const config = dataPlane.#workerdConfig(owner, outbound, bundle, ingressPort, adminPort);
    await mkdir(options.runDir, { recursive: true, mode: 0o700 });
    await writeFile(dataPlane.#configPath, renderConfig(config), { mode: 0o600 });
    dataPlane.#spawn();
    await dataPlane.#waitUntilServing();
    return dataPlane;
  }

  #workerdConfig(owner: DispatchWorkerConfig, outbound: DispatchWorkerConfig | null, bundle: string, ingressPort: number, adminPort: number): WorkerdConfig {
    const controlAddress = new URL(this.#options.control.url).host;
    const switchyard = {
      accountId: this.#options.accountId,
      internalSecret: this.#options.control.secret,
      dispatchNamespaces: Object.fromEntries(owner.dispatchNamespaces.map((d) => [d.binding, d.namespace])),
      kvNamespaces: { ...Object.fromEntries(owner.kvNamespaces.map((k) => [k.binding, k.id])), ...this.#options.kvOverrides },
      vars: { ...owner.vars, ...this.#options.varOverrides },
      outboundVars: outbound?.vars ?? {},
      outboundParameters: owner.dispatchNamespaces.find((binding) => binding.outbound)?.outbound?.parameters ?? null,
      egressAllowCidrs: this.#options.egressAllowCidrs ?? [],
    };
    return {
      services: [
        {
          name: 'dispatcher',
          worker: {
            modules: [{ name: 'dispatcher.js', esModule: bundle }],
            compatibilityDate: owner.compatibilityDate,
            compatibilityFlags: [...new Set([...owner.compatibilityFlags, 'enable_ctx_exports'])],
            bindings: [
              { name: 'SWITCHYARD', json: JSON.stringify(switchyard) },
              { name: 'LOADER', workerLoader: {} },
              { name: 'CONTROL', service: { name: 'control' } },
            ],
            globalOutbound: { name: 'internet' },
          },
        },
        { name: 'control', external: { address: controlAddress } },
        { name: 'internet', network: egressNetwork(this.#options.egressAllowCidrs ?? []) },
      ],
      sockets: [
        { name: 'ingress', address: hostAddress(this.#options.ingress.host, ingressPort), service: { name: 'dispatcher' } },
        { name: 'admin', address: `127.0.0.1:${adminPort}`, service: { name: 'dispatcher', entrypoint: 'Admin' } },
      ],
    };
  }

  #spawn(): void {
    const command = [workerdBinary(), 'serve', this.#configPath, '--experimental'];
    // setpriv makes the kernel kill workerd if this process dies, even by SIGKILL.
    if (existsSync(setpriv)) command.unshift(setpriv, '--pdeathsig', 'KILL', '--');
    const child = spawn(command[0], command.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    const relay = (stream: NodeJS.ReadableStream, sink: NodeJS.WriteStream) =>
      stream.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) if (line.trim()) sink.write(`[workerd] ${line}\n`);
      });
    relay(child.stdout!, process.stdout);
    relay(child.stderr!, process.stderr);
    child.once('exit', (code, signal) => {
      if (this.#process !== child) return;
      this.#process = null;
      if (this.#stopping) return;
      console.error(`[data-plane] workerd exited (${signal ?? code}); restarting`);
      setTimeout(() => !this.#stopping && this.#spawn(), 100);
    });
    this.#process = child;
  }

  async #waitUntilServing(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.#adminUrl}/healthz`, { headers: { 'x-switchyard-internal': this.#options.control.secret } });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (!this.#process) throw new Error('workerd exited while starting; see its output above');
      await sleep(50);
    }
    throw new Error('workerd did not start serving within 30 s');
  }

  /** Makes running workers drop what they cached for the changed scripts. */
  async applyChange(change: ScriptChange): Promise<void> {
    const response = await fetch(`${this.#adminUrl}/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchyard-internal': this.#options.control.secret },
      body: JSON.stringify(change),
    });
    if (!response.ok) throw new Error(`data plane answered ${response.status} to an invalidation`);
  }

  /** Compiles a candidate version in a throwaway isolate; the compile or start-up error, or null. */
  async compileError(code: unknown): Promise<string | null> {
    const response = await fetch(`${this.#adminUrl}/compile-check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchyard-internal': this.#options.control.secret },
      body: JSON.stringify(code),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`data plane answered ${response.status} to a compile check`);
    return ((await response.json()) as { error: string | null }).error;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#process;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
