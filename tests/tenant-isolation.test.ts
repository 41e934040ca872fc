import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, esModule, newAccount, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

describe('tenants cannot reach each other or the platform', () => {
  let platform: RunningPlatform;
  let api: Api;
  let otherAccount: Api;
  let kvA: string;

  usePlatform({ env: { SWITCHYARD_SECRET_CANARY: 'platform-env-canary' } }, async (started) => {
    platform = started.platform;
    api = new Api(platform);
    kvA = (await api.post('/storage/kv/namespaces', { title: 'tenant-a-data' })).body.result.id;
    await api.call('PUT', `/storage/kv/namespaces/${kvA}/values/secret`, 'tenant A only');
    otherAccount = await newAccount(api, platform, 'tenant b');
    await otherAccount.post('/workers/dispatch/namespaces', { name: 'production' });
  });

  it("sees none of the platform's environment, even with nodejs_compat", async () => {
    const source = `import process from 'node:process'; export default { fetch(request, env) { return Response.json({ processEnv: process.env, env }); } };`;
    assert.equal((await uploadScript(api, 'production', 'env-reader', { compatibility_flags: ['nodejs_compat'] }, [esModule('index.mjs', source)])).status, 200);
    const seen = (await visit(platform.ingress, 'env-reader')).body;
    assert.doesNotMatch(seen, /platform-env-canary|SWITCHYARD|CLOUDFLARE|PATH/);
    assert.deepEqual(JSON.parse(seen).env, {});
  });

  it('sees none of the headers the platform uses internally, even when a client sends them', async () => {
    const source = `export default { fetch(request) { return Response.json([...request.headers.keys()]); } };`;
    assert.equal((await uploadScript(api, 'production', 'header-reader', {}, [esModule('index.mjs', source)])).status, 200);
    const seen = JSON.parse((await visit(platform.ingress, 'header-reader', '/', { headers: { 'x-switchyard-target': '{"script":"other"}', 'x-switchyard-internal': 'guess' } })).body) as string[];
    assert.deepEqual(seen.filter((name) => name.startsWith('x-switchyard')), []);
  });

  it("cannot bind another account's KV namespace, nor read it through the API", async () => {
    const bound = await uploadScript(otherAccount, 'production', 'thief', { bindings: [{ type: 'kv_namespace', name: 'STOLEN', namespace_id: kvA }] }, [
      esModule('index.mjs', 'export default { fetch() { return new Response("x"); } };'),
    ]);
    assert.equal(bound.status, 400);
    assert.match(bound.body.errors[0].message, /does not exist in this account/);
    assert.equal((await otherAccount.raw('GET', `/storage/kv/namespaces/${kvA}/values/secret`)).status, 404);
  });

  it("cannot see another script's secrets or bindings", async () => {
    await uploadScript(api, 'production', 'holder', { bindings: [{ type: 'secret_text', name: 'API_KEY', text: 'holder-secret' }] }, [
      esModule('index.mjs', 'export default { fetch() { return new Response("holder"); } };'),
    ]);
    const prying = `export default { async fetch(request, env) {
      const viaService = env.HOLDER ? await (await env.HOLDER.fetch('http://holder/')).text() : null;
      return Response.json({ keys: Object.keys(env), global: typeof API_KEY === 'undefined' ? null : API_KEY, viaService });
    } };`;
    await uploadScript(api, 'production', 'prying', { bindings: [{ type: 'service', name: 'HOLDER', service: 'holder' }] }, [esModule('index.mjs', prying)]);
    const seen = JSON.parse((await visit(platform.ingress, 'prying')).body);
    assert.deepEqual(seen, { keys: ['HOLDER'], global: null, viaService: 'holder' });
  });

  it("cannot read what another tenant put in the cache", async () => {
    const source = `export default { async fetch(request) {
      const key = new Request('https://shared.example/secret');
      try {
        if (new URL(request.url).pathname === '/put') { await caches.default.put(key, new Response('cached by A', { headers: { 'cache-control': 'max-age=600' } })); return new Response('put'); }
        const hit = await caches.default.match(key);
        return new Response(hit ? 'HIT ' + await hit.text() : 'MISS');
      } catch (error) { return new Response('cache unavailable: ' + error.message); }
    } };`;
    assert.equal((await uploadScript(api, 'production', 'cache-a', {}, [esModule('index.mjs', source)])).status, 200);
    assert.equal((await uploadScript(api, 'production', 'cache-b', {}, [esModule('index.mjs', source)])).status, 200);
    const put = (await visit(platform.ingress, 'cache-a', '/put')).body;
    const fromB = (await visit(platform.ingress, 'cache-b', '/get')).body;
    if (put === 'put') {
      // A cache exists: A reads its own entry back, B does not see it.
      assert.equal((await visit(platform.ingress, 'cache-a', '/get')).body, 'HIT cached by A');
      assert.equal(fromB, 'MISS');
    } else {
      // No cache is configured for tenants: both see the same clear error, and nothing is shared.
      assert.equal(put, 'cache unavailable: No Cache was configured');
      assert.equal(fromB, 'cache unavailable: No Cache was configured');
    }
  });

  it("reaches no platform port: API, ingress, runners' internal sockets", async () => {
    const ports = [new URL(platform.origin).port, new URL(platform.ingress).port];
    const source = `export default { async fetch(request) {
      const results = [];
      for (const port of ${JSON.stringify(ports)}) {
        for (const host of ['127.0.0.1', 'localhost', '[::1]', '0.0.0.0']) {
          try { const r = await fetch('http://' + host + ':' + port + '/'); results.push(host + ':' + port + ' ' + r.status); }
          catch (error) { results.push(host + ':' + port + ' refused'); }
        }
      }
      return Response.json(results);
    } };`;
    await uploadScript(api, 'production', 'port-scanner', {}, [esModule('index.mjs', source)]);
    const results = JSON.parse((await visit(platform.ingress, 'port-scanner')).body) as string[];
    assert.equal(results.length, 8);
    for (const result of results) assert.match(result, /refused$/);
  });
});
