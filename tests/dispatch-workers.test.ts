import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { ingressRequest } from './helpers/ingress.ts';
import { removeDataDir, repoRoot, startPlatform, type RunningPlatform } from './helpers/platform.ts';

const fixtures = join(repoRoot, 'tests', 'fixtures');
const echoWorker = (name: string) =>
  esModule('index.mjs', `export default { fetch(request) { return new Response(${JSON.stringify(name)} + ' ' + new URL(request.url).pathname); } };`);

describe("the platform owner's own dispatch workers (the seed's examples, unchanged)", () => {
  let first: RunningPlatform;
  let platform: RunningPlatform;
  let api: Api;
  let kvNamespaceId: string;

  before(async () => {
    first = await startPlatform();
    api = new Api(first);
    await api.post('/workers/dispatch/namespaces', { name: 'customers' });
    for (const name of ['alpha', 'beta']) assert.equal((await uploadScript(api, 'customers', name, {}, [echoWorker(name)])).status, 200);
    kvNamespaceId = (await api.post('/storage/kv/namespaces', { title: 'routes' })).body.result.id;
    await api.call('PUT', `/storage/kv/namespaces/${kvNamespaceId}/values/shop.example.com`, 'beta');
    await first.stop();
  });
  after(async () => {
    await platform?.stop();
    await removeDataDir(first);
  });

  const restartWith = async (config: string) => {
    await platform?.stop();
    platform = await startPlatform({ dataDir: first.dataDir, accountId: first.accountId, token: first.token, env: { SWITCHYARD_DISPATCH_WORKER: config } });
  };

  it('routes by path and maps "Worker not found" to 404', async () => {
    await restartWith(join(fixtures, 'dispatch-path', 'wrangler.toml'));
    const alpha = await ingressRequest(platform.ingress, 'anything.test', '/alpha/page');
    assert.equal(alpha.status, 200);
    assert.equal(alpha.body, 'alpha /alpha/page');
    assert.equal((await ingressRequest(platform.ingress, 'anything.test', '/beta')).body, 'beta /beta');
    const missing = await ingressRequest(platform.ingress, 'anything.test', '/gamma');
    assert.equal(missing.status, 404);
    assert.equal(missing.body, '');
  });

  it('routes by hostname through a KV namespace, with vars from a wrangler.jsonc', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-kv-dispatcher-'));
    await copyFile(join(fixtures, 'dispatch-kv', 'worker.ts'), join(dir, 'worker.ts'));
    const template = await readFile(join(fixtures, 'dispatch-kv', 'wrangler.jsonc.template'), 'utf8');
    await writeFile(join(dir, 'wrangler.jsonc'), template.replace('KV_NAMESPACE_ID', kvNamespaceId));
    await restartWith(join(dir, 'wrangler.jsonc'));
    await rm(dir, { recursive: true, force: true }); // bundled at start; no longer needed
    const routed = await ingressRequest(platform.ingress, 'shop.example.com', '/cart');
    assert.equal(routed.status, 200);
    assert.equal(routed.body, 'beta /cart');
    const unrouted = await ingressRequest(platform.ingress, 'other.example.com', '/');
    assert.equal(unrouted.status, 404);
    assert.equal(unrouted.body, 'kv router: no route for other.example.com');
    // A route added through the API takes effect without a restart.
    await new Api(platform).call('PUT', `/storage/kv/namespaces/${kvNamespaceId}/values/other.example.com`, 'alpha');
    assert.equal((await ingressRequest(platform.ingress, 'other.example.com', '/x')).body, 'alpha /x');
  });
});
