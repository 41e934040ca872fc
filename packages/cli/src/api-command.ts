import { startControlPlane } from '@switchyard/control-plane';
import { resolve } from 'node:path';
import { exitWithParent, readOptional, readPort, readPositive, readToken, stopOnSignals } from './environment.ts';

/** `npm start -- api`: the control plane alone (REST API, database, blobs, the nodes' internal API and change feed). */
export async function runApi(): Promise<void> {
  exitWithParent();
  const controlPlane = await startControlPlane({
    dataDir: resolve(process.env.SWITCHYARD_DATA_DIR || './.switchyard'),
    port: readPort('SWITCHYARD_API_PORT', 8787),
    host: process.env.SWITCHYARD_API_HOST || '127.0.0.1',
    accountId: readOptional('SWITCHYARD_ACCOUNT_ID'),
    apiToken: readOptional('SWITCHYARD_API_TOKEN'),
    maxCpuMs: readPositive('SWITCHYARD_MAX_CPU_MS', 30_000),
    maxSubrequests: readPositive('SWITCHYARD_MAX_SUBREQUESTS', 1000),
    accountStorageMb: readPositive('SWITCHYARD_ACCOUNT_STORAGE_MB', 1024),
    tenantTagPrefix: readOptional('SWITCHYARD_TENANT_TAG_PREFIX'),
    nodeToken: readToken('SWITCHYARD_NODE_TOKEN', 'the token data plane nodes present to this API'),
  });
  console.log(`switchyard api: account id ${controlPlane.accountId}`);
  if (controlPlane.generatedToken) console.log(`switchyard: generated API token (shown once, keep it): ${controlPlane.generatedToken}`);
  console.log(`switchyard api: listening on ${controlPlane.url}/client/v4`);
  stopOnSignals('api', () => controlPlane.close());
}
