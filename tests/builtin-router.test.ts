import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { ingressRequest } from './helpers/ingress.ts';
import { removeDataDir, startPlatform, type RunningPlatform } from './helpers/platform.ts';

const echo = (name: string) => esModule('index.mjs', `export default { fetch(request) { return new Response(${JSON.stringify(name)} + ' ' + new URL(request.url).pathname); } };`);

describe('the built-in dispatch worker, in each routing mode', () => {
  let first: RunningPlatform;
  let platform: RunningPlatform | undefined;
  let kvId: string;

  before(async () => {
    first = await startPlatform();
    const api = new Api(first);
    for (const name of ['alpha', 'beta']) assert.equal((await uploadScript(api, 'production', name, {}, [echo(name)])).status, 200);
    kvId = (await api.post('/storage/kv/namespaces', { title: 'hostnames' })).body.result.id;
    await api.call('PUT', `/storage/kv/namespaces/${kvId}/values/www.customer.test`, 'beta');
  });
  after(async () => {
    await platform?.stop();
    await first.stop();
    await removeDataDir(first);
  });

  const restart = async (env: Record<string, string>) => {
    await platform?.stop();
    if (first.process.exitCode === null) await first.stop();
    platform = await startPlatform({ dataDir: first.dataDir, accountId: first.accountId, token: first.token, env });
    return platform;
  };

  it('routes by subdomain of SWITCHYARD_BASE_DOMAIN', async () => {
    const running = await restart({ SWITCHYARD_BASE_DOMAIN: 'apps.example' });
    assert.equal((await ingressRequest(running.ingress, 'alpha.apps.example', '/x')).body, 'alpha /x');
    const outside = await ingressRequest(running.ingress, 'alpha.localhost', '/x');
    assert.equal(outside.status, 404);
    assert.match(outside.body, /No script is routed for alpha\.localhost/);
    assert.equal((await ingressRequest(running.ingress, 'deep.alpha.apps.example', '/')).status, 404);
  });

  it('routes by first path segment', async () => {
    const running = await restart({ SWITCHYARD_ROUTING: 'path' });
    assert.equal((await ingressRequest(running.ingress, 'any.host', '/beta/page')).body, 'beta /beta/page');
    assert.equal((await ingressRequest(running.ingress, 'any.host', '/')).status, 404);
    assert.equal((await ingressRequest(running.ingress, 'any.host', '/gamma')).status, 404);
  });

  it('routes by hostname through a KV namespace', async () => {
    const running = await restart({ SWITCHYARD_ROUTING: 'kv', SWITCHYARD_ROUTING_KV: kvId });
    assert.equal((await ingressRequest(running.ingress, 'www.customer.test', '/shop')).body, 'beta /shop');
    assert.equal((await ingressRequest(running.ingress, 'unknown.test', '/')).status, 404);
  });
});
