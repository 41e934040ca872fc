import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  headers,
  hostBindings,
  entrypoints,
  inFlightListSchema,
  invokeResultSchema,
  parseJsonMessage,
  services,
  type DispatcherConfig,
  type Hold,
  type InFlight,
  type Invalidation,
  type Invocation,
  type InvokeEvent,
  type InvokeResult,
  type StopReason,
  type WorkerCode,
} from '@switchyard/protocol';
import { randomUUID } from 'node:crypto';
import { bundleIngress, bundleRunner } from './bundle.ts';
import { egressNetwork } from './egress-network.ts';
import { freePort } from './free-port.ts';
import { InvocationStopped, RunnerPool, type StopReport } from './runner-pool.ts';
import { describeSandbox, detectSandbox, handToRunner, removeCgroups, runnerConfigDir, sandboxedCommand, type SandboxLayers } from './sandbox.ts';
import { workerdBinary } from './workerd-binary.ts';
import { WorkerdProcess } from './workerd-process.ts';
import { renderConfig, type Service, type WorkerdConfig } from './workerd-config.ts';
import { readDispatchWorkerConfig, type DispatchWorkerConfig } from './wrangler-config.ts';

export interface DataPlaneOptions {
  ingress: { host: string; port: number };
  /** The node's read API (its supervisor) on loopback, and the secret the node's processes share. */
  readApiUrl: string;
  internalSecret: string;
  /** The account whose dispatch namespaces the dispatch worker binds. */
  accountId: string;
  /** The dispatch worker's wrangler config, read already. */
  dispatchWorker: DispatchWorkerConfig;
  /** Its path, for error messages. */
  dispatchWorkerConfig: string;
  /** Vars that override the dispatch worker's own (e.g. BASE_DOMAIN from the environment). */
  varOverrides: Record<string, string>;
  /** KV bindings added to the dispatch worker's own: binding name -> KV namespace id. */
  kvOverrides?: Record<string, string>;
  /** wrangler config of the owner's outbound worker; the default one (outbound/) when absent. */
  outboundWorkerConfig?: string;
  /** IPv4 CIDRs tenants may reach although private (an operator's internal APIs). */
  egressAllowCidrs?: string[];
  /** Runner processes that run customer scripts. */
  runners?: number;
  /** CPU limit of a request whose dispatch call and script settings set none. */
  defaultCpuMs?: number;
  /** CPU time a script's top-level code may use to start (an upload's check is refused past it). */
  startupCpuMs?: number;
  /** Runners that each serve one suspect script alone (after a runner got stuck with several in flight). */
  maxSoloRunners?: number;
  /** Versions a runner may hold isolates for before it is replaced by a fresh one. */
  maxLoadedVersions?: number;
  /** V8 heap limit of each runner (MiB): a script that allocates past it takes down only its runner. */
  runnerHeapMb?: number;
  /** Body size limits (bytes) of requests to and responses from customer scripts. */
  maxRequestBytes?: number;
  maxResponseBytes?: number;
  /** Memory cgroup limit of each runner process (MiB), where the machine has a memory cgroup. */
  runnerMemoryMb?: number;
  /** The `limits.cpu_ms` of a script's live version, if its settings set one. */
  scriptCpuLimit: (accountId: string, namespace: string, script: string) => Promise<number | null>;
  /** Scripts held back now (after repeated strikes), to hold again when the ingress (re)starts. */
  activeHolds: () => Hold[];
  /** Called when the watchdog stops a script; answers until when the script is held back, if at all. */
  onStrike: (strike: { accountId: string; namespace: string; script: string; reason: StopReason }) => Promise<number | null>;
  runDir: string;
}

const hostAddress = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * The traffic side: an ingress workerd process running the owner's dispatch worker, and runner
 * workerd processes that run customer scripts, each version in its own isolate, under a watchdog.
 */
export class DataPlane {
  readonly ingressUrl: string;
  readonly #options: DataPlaneOptions;
  readonly #ingressAdminUrl: string;
  readonly #pool: RunnerPool;
  /** How the runners are contained: the layers, this node's cgroup instance, where their configs are. */
  readonly #containment: { sandbox: SandboxLayers; instance: string; runnerConfigDir: string };
  #starting = true;
  #ingress: WorkerdProcess | null = null;
  #stopping = false;

  private constructor(
    options: DataPlaneOptions,
    ingressPort: number,
    adminPort: number,
    pool: RunnerPool,
    containment: { sandbox: SandboxLayers; instance: string; runnerConfigDir: string },
  ) {
    this.#containment = containment;
    this.#options = options;
    this.ingressUrl = `http://${hostAddress(options.ingress.host, ingressPort)}`;
    this.#ingressAdminUrl = `http://127.0.0.1:${adminPort}`;
    this.#pool = pool;
  }

  static async start(options: DataPlaneOptions): Promise<DataPlane> {
    await mkdir(options.runDir, { recursive: true, mode: 0o700 });
    const owner = options.dispatchWorker;
    const outbound = options.outboundWorkerConfig ? await readDispatchWorkerConfig(options.outboundWorkerConfig) : null;
    const wantsOutbound = owner.dispatchNamespaces.find((binding) => binding.outbound);
    if (wantsOutbound && !outbound) {
      throw new Error(
        `${options.dispatchWorkerConfig}: dispatch namespace "${wantsOutbound.namespace}" names outbound worker "${wantsOutbound.outbound!.service}"; set SWITCHYARD_OUTBOUND_WORKER to its wrangler config`,
      );
    }
    const [ingressBundle, runnerBundle] = await Promise.all([bundleIngress(owner.main), bundleRunner(outbound?.main)]);
    let dataPlane: DataPlane | null = null;
    const shared = switchyardConfig(options, owner, outbound);
    const sandbox = detectSandbox();
    // Names this node's runner cgroups apart from any other node's on the machine.
    const instance = `node-${process.pid}-${randomUUID().slice(0, 8)}`;
    const runnerMemoryMb = options.runnerMemoryMb ?? Math.max(1024, (options.runnerHeapMb ?? 512) * 2);
    console.log(`switchyard: ${describeSandbox(sandbox, runnerMemoryMb)}`);
    const runnerDir = runnerConfigDir(sandbox, options.runDir);
    const pool = new RunnerPool({
      count: options.runners ?? 2,
      runDir: runnerDir,
      secret: options.internalSecret,
      defaultCpuMs: shared.defaultCpuMs,
      startupCpuMs: options.startupCpuMs ?? 1000,
      maxSolo: options.maxSoloRunners ?? 4,
      slackMs: 20,
      maxLoadedVersions: options.maxLoadedVersions ?? 1000,
      configFor: (port, runnerAdminPort) => runnerConfig(options, shared, runnerBundle, port, runnerAdminPort),
      commandFor: (name, configPath) => sandboxedCommand(sandbox, name, workerdBinary(), configPath, runnerMemoryMb, instance),
      prepareConfig: (configPath) => handToRunner(sandbox, configPath),
      sentByIngress: async (port, since) => (dataPlane && !dataPlane.#starting ? dataPlane.#sentByIngress(port, since) : []),
      scriptCpuLimit: (ref) => options.scriptCpuLimit(ref.accountId, ref.namespace, ref.script),
      onStopped: async (report) => {
        if (dataPlane && !dataPlane.#starting) await dataPlane.#stopped(report);
      },
      onRoutesChanged: async (routes) => {
        if (dataPlane && !dataPlane.#starting) await dataPlane.#postIngress('/runners', routes);
      },
    });
    await pool.start();
    // Ports picked here are bound by workerd a moment later; if another process took one in
    // between, start the ingress again on new ones (unless the operator fixed the port).
    for (let attempt = 1; ; attempt++) {
      const ingressPort = options.ingress.port || (await freePort(options.ingress.host));
      const adminPort = await freePort('127.0.0.1');
      dataPlane = new DataPlane(options, ingressPort, adminPort, pool, { sandbox, instance, runnerConfigDir: runnerDir });
      const config = ingressConfig(options, { ...shared, runnerPorts: pool.routes().ports }, owner, ingressBundle, ingressPort, adminPort);
      const configPath = join(options.runDir, 'ingress.capnp');
      await writeFile(configPath, renderConfig(config), { mode: 0o600 });
      try {
        dataPlane.#starting = true;
        dataPlane.#spawnIngress(configPath);
        await dataPlane.#ingress!.waitUntilServing(`${dataPlane.#ingressAdminUrl}/healthz`, options.internalSecret);
        dataPlane.#starting = false;
        break;
      } catch (error) {
        dataPlane.#ingress?.kill();
        if (options.ingress.port || attempt >= 3) {
          await pool.stop();
          throw error;
        }
      }
    }
    await dataPlane.#ingressReady();
    return dataPlane;
  }

  #spawnIngress(configPath: string): void {
    this.#ingress = new WorkerdProcess('ingress', configPath, (code, signal) => {
      if (this.#stopping || this.#starting) return;
      console.error(`[data-plane] ingress exited (${signal ?? code}); restarting`);
      setTimeout(async () => {
        if (this.#stopping) return;
        this.#spawnIngress(configPath);
        await this.#ingress!.waitUntilServing(`${this.#ingressAdminUrl}/healthz`, this.#options.internalSecret).catch(console.error);
        await this.#ingressReady().catch(console.error);
      }, 100);
    });
  }

  /** Tells a (re)started ingress where the runners are and which scripts are held back. */
  async #ingressReady(): Promise<void> {
    await this.#postIngress('/runners', this.#pool.routes());
    for (const hold of this.#options.activeHolds()) await this.hold(hold);
  }

  /** Holds a script back at the ingress (after repeated strikes) until `hold.until`. */
  hold(hold: Hold): Promise<void> {
    return this.#postIngress('/hold', hold);
  }

  async #postIngress(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.#ingressAdminUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [headers.internal]: this.#options.internalSecret },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`ingress answered ${response.status} to ${path}`);
  }

  /** The invocations the ingress sent to the runner on `port` and has no answer for, or answered since `since`. */
  async #sentByIngress(port: number, since: number): Promise<InFlight[]> {
    const response = await fetch(`${this.#ingressAdminUrl}/in-flight?port=${port}&since=${since}`, { headers: { [headers.internal]: this.#options.internalSecret } });
    return parseJsonMessage(inFlightListSchema, await response.text(), 'in-flight list');
  }

  /**
   * Tells the ingress how to answer what a stopped runner held (1102 for the culprit, a retry for
   * the rest), then strikes the culprit's script, if blame is exact.
   */
  async #stopped({ port, culprit, reason, others }: StopReport): Promise<void> {
    await Promise.all([
      ...(culprit ? [this.#postIngress('/stopped', { invocationId: culprit.invocationId, reason })] : []),
      ...others.map((entry) => this.#postIngress('/stopped', { invocationId: entry.invocationId, reason: null })),
    ]);
    if (!culprit) return;
    const { accountId, namespace, script } = culprit;
    console.error(JSON.stringify({ event: 'worker_stopped', reason, accountId, namespace, script, invocationId: culprit.invocationId, port }));
    // The strike is written after the runner is killed: a durable write must not delay the kill.
    void (async () => {
      const until = await this.#options.onStrike({ accountId, namespace, script, reason });
      if (until) await this.hold({ accountId, namespace, script, until });
    })().catch((error) => console.error('[data-plane] recording a strike failed:', error));
  }

  /** Makes every runner drop what it cached for these scripts (the whole namespace when null). */
  invalidate(invalidation: Invalidation): Promise<void> {
    return this.#pool.broadcast('/invalidate', invalidation);
  }

  /**
   * Loads a script's version where it will serve: the live one, or with `code` that version (an
   * upload being checked), under its own id. An upload starts first on the check runner, alone and
   * under the start-up CPU budget, so code that never finishes starting never reaches a serving runner.
   */
  async warm(target: { accountId: string; namespace: string; script: string }, code?: WorkerCode): Promise<InvokeResult> {
    const invocation: Invocation = { ...target, id: randomUUID(), versionId: code?.versionId, limits: { cpuMs: this.#pool.startupCpuMs }, outbound: null };
    const event: InvokeEvent = { type: 'warm-up', code };
    if (code) {
      const checked = await this.#pool.check(inFlightOf(invocation), invokeRequest(invocation, event));
      if ('failure' in checked) return { outcome: 'exception', versionId: code.versionId, message: checked.failure };
      const result = await invokeResult(checked, event);
      if (result.outcome !== 'ok') return result;
    }
    return this.invoke(invocation, event);
  }

  /** Runs an invocation through the invoke door of the runner that serves its script; one the watchdog stopped is answered so. */
  async invoke(invocation: Invocation, event: InvokeEvent): Promise<InvokeResult> {
    try {
      return invokeResult(await this.#pool.invoke(inFlightOf(invocation), invokeRequest(invocation, event)), event);
    } catch (error) {
      if (error instanceof InvocationStopped) return { outcome: 'exceededResources', reason: error.reason, message: error.message };
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all([this.#ingress?.stop(), this.#pool.stop()]);
    const { sandbox, instance, runnerConfigDir } = this.#containment;
    await removeCgroups(sandbox, instance);
    if (runnerConfigDir !== this.#options.runDir) await rm(runnerConfigDir, { recursive: true, force: true });
  }
}

const inFlightOf = (invocation: Invocation): InFlight => ({
  invocationId: invocation.id,
  accountId: invocation.accountId,
  namespace: invocation.namespace,
  script: invocation.script,
  limits: invocation.limits,
  startedAt: Date.now(),
});

const invokeRequest = (invocation: Invocation, event: InvokeEvent) => ({
  headers: { [headers.invocation]: JSON.stringify(invocation), [headers.event]: event.type, 'content-type': 'application/json' },
  body: JSON.stringify(event),
});

async function invokeResult(response: Response, event: InvokeEvent): Promise<InvokeResult> {
  const text = await response.text();
  if (!response.ok) throw new Error(`a runner refused a ${event.type} invocation: ${response.status} ${text.slice(0, 300)}`);
  return parseJsonMessage(invokeResultSchema, text, `${event.type} result`);
}

type SharedConfig = ReturnType<typeof switchyardConfig>;

/** The `SWITCHYARD` JSON binding both kinds of process read. */
function switchyardConfig(options: DataPlaneOptions, owner: DispatchWorkerConfig, outbound: DispatchWorkerConfig | null): DispatcherConfig {
  return {
    internalSecret: options.internalSecret,
    dispatchNamespaces: Object.fromEntries(owner.dispatchNamespaces.map((d) => [d.binding, { accountId: options.accountId, namespace: d.namespace }])),
    kvNamespaces: { ...Object.fromEntries(owner.kvNamespaces.map((k) => [k.binding, k.id])), ...options.kvOverrides },
    vars: { ...owner.vars, ...options.varOverrides },
    outboundVars: outbound?.vars ?? {},
    outboundParameters: owner.dispatchNamespaces.find((binding) => binding.outbound)?.outbound?.parameters ?? null,
    egressAllowCidrs: options.egressAllowCidrs ?? [],
    defaultCpuMs: options.defaultCpuMs ?? 1000,
    maxRequestBytes: options.maxRequestBytes ?? 100 * 1024 * 1024,
    maxResponseBytes: options.maxResponseBytes ?? 512 * 1024 * 1024,
    runnerPorts: [],
  };
}

function commonServices(options: DataPlaneOptions): Service[] {
  return [
    { name: services.control, external: { address: new URL(options.readApiUrl).host } },
    { name: services.internet, network: egressNetwork(options.egressAllowCidrs ?? []) },
  ];
}

function ingressConfig(options: DataPlaneOptions, shared: SharedConfig, owner: DispatchWorkerConfig, bundle: string, port: number, adminPort: number): WorkerdConfig {
  return {
    services: [
      {
        name: services.ingress,
        worker: {
          modules: [{ name: 'ingress.js', esModule: bundle }],
          compatibilityDate: owner.compatibilityDate,
          compatibilityFlags: [...new Set([...owner.compatibilityFlags, 'enable_ctx_exports'])],
          bindings: [
            { name: hostBindings.config, json: JSON.stringify(shared) },
            { name: hostBindings.control, service: { name: services.control } },
            { name: hostBindings.runners, service: { name: services.runners } },
          ],
          globalOutbound: { name: services.internet },
        },
      },
      // Only the ingress reaches the runners; customer code never runs in this process.
      { name: services.runners, network: { allow: ['127.0.0.1/32'] } },
      ...commonServices(options),
    ],
    sockets: [
      { name: 'http', address: hostAddress(options.ingress.host, port), service: { name: services.ingress } },
      { name: 'admin', address: `127.0.0.1:${adminPort}`, service: { name: services.ingress, entrypoint: entrypoints.ingressAdmin } },
    ],
  };
}

function runnerConfig(options: DataPlaneOptions, shared: SharedConfig, bundle: string, port: number, adminPort: number): WorkerdConfig {
  return {
    services: [
      {
        name: services.runner,
        worker: {
          modules: [{ name: 'runner.js', esModule: bundle }],
          compatibilityDate: '2025-09-01',
          compatibilityFlags: ['enable_ctx_exports', 'service_binding_extra_handlers'],
          bindings: [
            { name: hostBindings.config, json: JSON.stringify(shared) },
            { name: hostBindings.loader, workerLoader: {} },
            { name: hostBindings.control, service: { name: services.control } },
          ],
          globalOutbound: { name: services.internet },
        },
      },
      ...commonServices(options),
    ],
    sockets: [
      { name: 'http', address: `127.0.0.1:${port}`, service: { name: services.runner } },
      { name: 'admin', address: `127.0.0.1:${adminPort}`, service: { name: services.runner, entrypoint: entrypoints.runnerAdmin } },
    ],
    v8Flags: options.runnerHeapMb ? [`--max-old-space-size=${options.runnerHeapMb}`] : undefined,
  };
}
