import { activeHolds, recordStrike, scriptCpuLimit, startControlPlane } from '@switchyard/control-plane';
import { DataPlane } from '@switchyard/runtime';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function readPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

function readPositive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

async function start(): Promise<void> {
  const dataDir = resolve(process.env.SWITCHYARD_DATA_DIR || './.switchyard');
  const controlPlane = await startControlPlane({
    dataDir,
    port: readPort('SWITCHYARD_API_PORT', 8787),
    host: process.env.SWITCHYARD_API_HOST || '127.0.0.1',
    accountId: process.env.SWITCHYARD_ACCOUNT_ID || undefined,
    apiToken: process.env.SWITCHYARD_API_TOKEN || undefined,
  });
  const varOverrides: Record<string, string> = {};
  if (process.env.SWITCHYARD_BASE_DOMAIN) varOverrides.BASE_DOMAIN = process.env.SWITCHYARD_BASE_DOMAIN;
  if (process.env.SWITCHYARD_ROUTING) varOverrides.ROUTING = process.env.SWITCHYARD_ROUTING;
  const kvOverrides: Record<string, string> = {};
  if (process.env.SWITCHYARD_ROUTING_KV) kvOverrides.ROUTES = process.env.SWITCHYARD_ROUTING_KV;
  const dataPlane = await DataPlane.start({
    ingress: { host: process.env.SWITCHYARD_HTTP_HOST || '127.0.0.1', port: readPort('SWITCHYARD_HTTP_PORT', 8080) },
    control: controlPlane.internal,
    accountId: controlPlane.accountId,
    dispatchWorkerConfig: resolve(process.env.SWITCHYARD_DISPATCH_WORKER || join(repoRoot, 'wrangler.toml')),
    varOverrides,
    kvOverrides,
    egressAllowCidrs: (process.env.SWITCHYARD_EGRESS_ALLOW ?? '').split(',').map((cidr) => cidr.trim()).filter(Boolean),
    outboundWorkerConfig: process.env.SWITCHYARD_OUTBOUND_WORKER ? resolve(process.env.SWITCHYARD_OUTBOUND_WORKER) : undefined,
    runners: readPositive('SWITCHYARD_RUNNERS', 2),
    defaultCpuMs: readPositive('SWITCHYARD_DEFAULT_CPU_MS', 1000),
    runnerHeapMb: readPositive('SWITCHYARD_RUNNER_HEAP_MB', 512),
    maxLoadedVersions: readPositive('SWITCHYARD_RUNNER_MAX_ISOLATES', 1000),
    maxRequestBytes: readPositive('SWITCHYARD_MAX_REQUEST_BYTES', 100 * 1024 * 1024),
    maxResponseBytes: readPositive('SWITCHYARD_MAX_RESPONSE_BYTES', 512 * 1024 * 1024),
    scriptCpuLimit: (namespace, script) => scriptCpuLimit(controlPlane.platform.db, controlPlane.accountId, namespace, script),
    activeHolds: () => activeHolds(controlPlane.platform.db, controlPlane.accountId),
    onStrike: ({ namespace, script, reason }) => recordStrike(controlPlane.platform.db, controlPlane.accountId, namespace, script, reason),
    runDir: join(dataDir, 'run'),
  });
  controlPlane.platform.compileCheck.check = (code) => dataPlane.compileError(code);
  controlPlane.platform.readiness.ready = true;
  controlPlane.platform.changes.subscribe(async (change) => {
    if (change.accountId === controlPlane.accountId) await dataPlane.applyChange(change);
  });

  console.log(`switchyard: traffic ingress on ${dataPlane.ingressUrl}`);
  console.log(`switchyard: account id ${controlPlane.accountId}`);
  if (controlPlane.generatedToken) {
    console.log(`switchyard: generated API token (shown once, keep it): ${controlPlane.generatedToken}`);
  }
  console.log(`switchyard: API listening on ${controlPlane.url}/client/v4`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`switchyard: ${signal} received, stopping`);
    await dataPlane.stop();
    await controlPlane.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

const command = process.argv[2] ?? 'start';
if (command !== 'start') {
  console.error('usage: switchyard start');
  process.exit(2);
}
await start();
