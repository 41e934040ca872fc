import { startNode } from '@switchyard/runtime';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithParent, readOptional, readPort, readPositive, readRequired, readToken, stopOnSignals } from './environment.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** `npm start -- node`: a data plane node (ingress, runners, supervisor and watchdog) for the API at SWITCHYARD_CONTROL_URL. */
export async function runNode(): Promise<void> {
  exitWithParent();
  const varOverrides: Record<string, string> = {};
  if (process.env.SWITCHYARD_BASE_DOMAIN) varOverrides.BASE_DOMAIN = process.env.SWITCHYARD_BASE_DOMAIN;
  if (process.env.SWITCHYARD_ROUTING) varOverrides.ROUTING = process.env.SWITCHYARD_ROUTING;
  const kvOverrides: Record<string, string> = {};
  if (process.env.SWITCHYARD_ROUTING_KV) kvOverrides.ROUTES = process.env.SWITCHYARD_ROUTING_KV;
  const dataDir = resolve(process.env.SWITCHYARD_DATA_DIR || './.switchyard');
  const node = await startNode({
    controlUrl: readRequired('SWITCHYARD_CONTROL_URL', 'the URL of the Switchyard API this node serves for, e.g. http://127.0.0.1:8787'),
    nodeToken: readToken('SWITCHYARD_NODE_TOKEN', 'the token the API knows its nodes by'),
    dir: resolve(process.env.SWITCHYARD_NODE_DIR || join(dataDir, 'node')),
    accountId: readOptional('SWITCHYARD_ACCOUNT_ID'),
    ingress: { host: process.env.SWITCHYARD_HTTP_HOST || '127.0.0.1', port: readPort('SWITCHYARD_HTTP_PORT', 8080) },
    dispatchWorkerConfig: resolve(process.env.SWITCHYARD_DISPATCH_WORKER || join(repoRoot, 'wrangler.toml')),
    varOverrides,
    kvOverrides,
    egressAllowCidrs: (process.env.SWITCHYARD_EGRESS_ALLOW ?? '').split(',').map((cidr) => cidr.trim()).filter(Boolean),
    outboundWorkerConfig: process.env.SWITCHYARD_OUTBOUND_WORKER ? resolve(process.env.SWITCHYARD_OUTBOUND_WORKER) : undefined,
    runners: readPositive('SWITCHYARD_RUNNERS', 2),
    defaultCpuMs: readPositive('SWITCHYARD_DEFAULT_CPU_MS', 1000),
    startupCpuMs: readPositive('SWITCHYARD_STARTUP_CPU_MS', 1000),
    maxSoloRunners: readPositive('SWITCHYARD_SOLO_RUNNERS', 4),
    runnerHeapMb: readPositive('SWITCHYARD_RUNNER_HEAP_MB', 512),
    maxLoadedVersions: readPositive('SWITCHYARD_RUNNER_MAX_ISOLATES', 1000),
    maxRequestBytes: readPositive('SWITCHYARD_MAX_REQUEST_BYTES', 100 * 1024 * 1024),
    maxResponseBytes: readPositive('SWITCHYARD_MAX_RESPONSE_BYTES', 512 * 1024 * 1024),
  });
  console.log(`switchyard node: ${node.id} ready; traffic ingress on ${node.ingressUrl}`);
  stopOnSignals('node', () => node.stop());
}
