import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, esModule, uploadScript, workerForm, type ModulePart } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
const addWasm = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01,
  0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
]);

describe('data plane: scripts served through the ingress', () => {
  let platform: RunningPlatform;
  let api: Api;
  const deploy = (name: string, metadata: Record<string, unknown>, modules: ModulePart[]) => uploadScript(api, 'production', name, metadata, modules);

  usePlatform({}, (started) => ({ platform, api } = started));

  it('routes <script>.localhost to that script of "production" and 404s the rest', async () => {
    const uploaded = await deploy('hello', {}, [esModule('index.mjs', `export default { fetch(request) { return new Response('hello ' + new URL(request.url).pathname); } };`)]);
    assert.equal(uploaded.status, 200);
    const served = await visit(platform.ingress, 'hello', '/a/b?c=1');
    assert.equal(served.status, 200);
    assert.equal(served.body, 'hello /a/b');
    const missing = await visit(platform.ingress, 'nobody');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /No script named "nobody"/);
  });

  it('hands the script the request as the client sent it: URL, Host and headers, none of the platform\'s', async () => {
    const echo = `export default { fetch(request) { return Response.json({ url: request.url, method: request.method, headers: Object.fromEntries(request.headers) }); } };`;
    assert.equal((await deploy('echo', {}, [esModule('index.mjs', echo)])).status, 200);
    const served = await visit(platform.ingress, 'echo', '/p?q=1', { headers: { 'x-custom': 'kept', 'x-switchyard-invocation': 'forged', 'x-switchyard-internal': 'forged' } });
    const seen = JSON.parse(served.body);
    assert.equal(seen.url, `http://echo.localhost/p?q=1`);
    assert.equal(seen.headers.host, 'echo.localhost');
    assert.equal(seen.headers['x-custom'], 'kept');
    assert.deepEqual(Object.keys(seen.headers).filter((name) => name.startsWith('x-switchyard')), []);
  });

  it('serves each new upload on the very next request', async () => {
    for (let version = 1; version <= 5; version++) {
      const uploaded = await deploy('redeployed', {}, [esModule('index.mjs', `export default { fetch() { return new Response('v${version}'); } };`)]);
      assert.equal(uploaded.status, 200);
      assert.equal((await visit(platform.ingress, 'redeployed')).body, `v${version}`);
    }
    await api.delete('/workers/dispatch/namespaces/production/scripts/redeployed');
    assert.equal((await visit(platform.ingress, 'redeployed')).status, 404);
  });

  it('lets requests in flight on the old version finish while the next ones get the new one', async () => {
    const slow = (version: string) => esModule('index.mjs', `export default { async fetch() { await scheduler.wait(400); return new Response(${JSON.stringify(version)}); } };`);
    assert.equal((await deploy('slow', {}, [slow('old')])).status, 200);
    const inFlight = visit(platform.ingress, 'slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await deploy('slow', {}, [slow('new')])).status, 200);
    const next = visit(platform.ingress, 'slow');
    assert.equal((await inFlight).body, 'old');
    assert.equal((await next).body, 'new');
  });

  it('shows a version and deploys an earlier one again (rollback), served on the next request', async () => {
    const first = await deploy('rollback', { bindings: [{ type: 'plain_text', name: 'V', text: 'one' }] }, [esModule('index.mjs', `export default { fetch(r, env) { return new Response('v1 ' + env.V); } };`)]);
    await deploy('rollback', { bindings: [{ type: 'plain_text', name: 'V', text: 'two' }] }, [esModule('index.mjs', `export default { fetch(r, env) { return new Response('v2 ' + env.V); } };`)]);
    assert.equal((await visit(platform.ingress, 'rollback')).body, 'v2 two');
    const path = '/workers/dispatch/namespaces/production/scripts/rollback';
    const shown = await api.get(`${path}/versions/${first.body.result.version_id}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.result.number, 1);
    assert.equal(shown.body.result.live, false);
    assert.deepEqual(shown.body.result.bindings, [{ type: 'plain_text', name: 'V', text: 'one' }]);
    const rolledBack = await api.post(`${path}/deployments`, { strategy: 'percentage', versions: [{ version_id: first.body.result.version_id, percentage: 100 }] });
    assert.equal(rolledBack.status, 200);
    assert.equal((await visit(platform.ingress, 'rollback')).body, 'v1 one');
    assert.equal((await api.get(path)).body.result.script.version_id, first.body.result.version_id);
    const split = await api.post(`${path}/deployments`, { versions: [{ version_id: first.body.result.version_id, percentage: 50 }] });
    assert.equal(split.status, 400);
    assert.match(split.body.errors[0].message, /one version at 100 %/);
    assert.equal((await api.post(`${path}/deployments`, { versions: [{ version_id: 'nope', percentage: 100 }] })).status, 404);
    assert.equal((await api.get(`${path}/versions/nope`)).status, 404);
  });

  it('keeps what a script printed and threw when it turned logs on (observability.enabled)', async () => {
    const source = `export default { fetch(request) { console.log('hello', { n: 1 }); console.warn('careful'); if (new URL(request.url).pathname === '/boom') throw new Error('kaboom'); return new Response('ok'); } };`;
    await deploy('logged', { observability: { enabled: true } }, [esModule('index.mjs', source)]);
    await deploy('quiet', {}, [esModule('index.mjs', source)]);
    await visit(platform.ingress, 'logged', '/first');
    await visit(platform.ingress, 'logged', '/boom');
    await visit(platform.ingress, 'quiet', '/first');
    const path = '/workers/dispatch/namespaces/production/scripts';
    let entries: { level: string; message: string; outcome: string; url: string }[] = [];
    for (let i = 0; i < 50 && entries.length < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      entries = (await api.get(`${path}/logged/logs`)).body.result;
    }
    assert.deepEqual(
      entries.map((e) => `${e.level} ${e.message} ${e.outcome} ${new URL(e.url).pathname}`),
      ['exception Error: kaboom exception /boom', 'warn careful exception /boom', 'log hello {"n":1} exception /boom', 'warn careful ok /first', 'log hello {"n":1} ok /first'],
    );
    assert.deepEqual((await api.get(`${path}/quiet/logs`)).body.result, [], 'logs are off unless the script turns them on');
    assert.equal((await api.get(`${path}/logged/logs?limit=0`)).status, 400);
  });

  it('runs ES modules importing text, data, JSON and wasm modules', async () => {
    const main = esModule(
      'main.mjs',
      `import text from './greeting.txt'; import data from './bytes.bin'; import config from './config.json'; import wasm from './add.wasm';
       const { exports } = await WebAssembly.instantiate(wasm);
       export default { fetch() { return Response.json({ text, bytes: new Uint8Array(data).length, config, sum: exports.add(2, 3) }); } };`,
    );
    const uploaded = await deploy('modules', {}, [
      main,
      { name: 'greeting.txt', content: 'hi there', type: 'text/plain' },
      { name: 'bytes.bin', content: new Uint8Array([1, 2, 3, 4]), type: 'application/octet-stream' },
      { name: 'config.json', content: '{"mode":"json"}', type: 'application/json' },
      { name: 'add.wasm', content: addWasm, type: 'application/wasm' },
    ]);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
    assert.deepEqual(JSON.parse((await visit(platform.ingress, 'modules')).body), { text: 'hi there', bytes: 4, config: { mode: 'json' }, sum: 5 });
  });

  it('runs CommonJS and service-worker scripts', async () => {
    await deploy('cjs', {}, [
      { name: 'index.js', type: 'application/javascript', content: `const { word } = require('./lib.js'); module.exports = { fetch() { return new Response('cjs ' + word); } };` },
      { name: 'lib.js', type: 'application/javascript', content: `exports.word = 'works';` },
    ]);
    assert.equal((await visit(platform.ingress, 'cjs')).body, 'cjs works');

    const form = workerForm({ body_part: 'sw.js', bindings: [{ type: 'plain_text', name: 'GREETING', text: 'howdy' }] }, [
      { name: 'sw.js', type: 'application/javascript', content: `addEventListener('fetch', (event) => event.respondWith(new Response('sw ' + GREETING)));` },
    ]);
    assert.equal((await api.put('/workers/dispatch/namespaces/production/scripts/sw', form)).status, 200);
    assert.equal((await visit(platform.ingress, 'sw')).body, 'sw howdy');
  });

  it('honours compatibility flags', async () => {
    const source = `import { Buffer } from 'node:buffer'; export default { fetch() { return new Response(Buffer.from('flags').toString('base64')); } };`;
    await deploy('flags', { compatibility_date: '2025-01-01', compatibility_flags: ['nodejs_compat'] }, [esModule('index.mjs', source)]);
    assert.equal((await visit(platform.ingress, 'flags')).body, 'ZmxhZ3M=');
  });

  it('gives workers their plain_text, json and secret bindings and nothing of the host', async () => {
    await deploy(
      'env',
      {
        bindings: [
          { type: 'plain_text', name: 'PLAIN', text: 'p' },
          { type: 'json', name: 'JSONED', json: { n: 1 } },
          { type: 'secret_text', name: 'TOKEN', text: 's3cret' },
        ],
      },
      [esModule('index.mjs', `export default { fetch(request, env) { return Response.json({ keys: Object.keys(env).sort(), env }); } };`)],
    );
    const body = JSON.parse((await visit(platform.ingress, 'env')).body);
    assert.deepEqual(body.keys, ['JSONED', 'PLAIN', 'TOKEN']);
    assert.deepEqual(body.env, { PLAIN: 'p', JSONED: { n: 1 }, TOKEN: 's3cret' });
    const secretPut = await api.put('/workers/dispatch/namespaces/production/scripts/env/secrets', { name: 'TOKEN', text: 'rotated', type: 'secret_text' });
    assert.equal(secretPut.status, 200);
    assert.equal(JSON.parse((await visit(platform.ingress, 'env')).body).env.TOKEN, 'rotated');
  });

  it('gives version_metadata bindings the id, tag and upload time of the version serving', async () => {
    const source = `export default { fetch(request, env) { return Response.json(env.VERSION); } };`;
    const first = await deploy('versioned', { bindings: [{ type: 'version_metadata', name: 'VERSION' }], annotations: { 'workers/tag': 'v1.0.0' } }, [esModule('index.mjs', source)]);
    assert.equal(first.status, 200, JSON.stringify(first.body.errors));
    const shown = JSON.parse((await visit(platform.ingress, 'versioned')).body);
    assert.deepEqual(shown, { id: first.body.result.version_id, tag: 'v1.0.0', timestamp: first.body.result.modified_on });

    const second = await deploy('versioned', { bindings: [{ type: 'version_metadata', name: 'VERSION' }] }, [esModule('index.mjs', source)]);
    const next = JSON.parse((await visit(platform.ingress, 'versioned')).body);
    assert.notEqual(next.id, shown.id);
    assert.deepEqual(next, { id: second.body.result.version_id, tag: '', timestamp: second.body.result.modified_on });
  });

  it('backs kv_namespace bindings with the KV API data', async () => {
    const created = await api.post('/storage/kv/namespaces', { title: 'data-plane-kv' });
    const namespaceId = created.body.result.id as string;
    await api.call('PUT', `/storage/kv/namespaces/${namespaceId}/values/from-api`, '{"set":"by api"}');
    const source = `export default { async fetch(request, env) {
      const url = new URL(request.url);
      if (url.pathname === '/write') {
        await env.KV.put('from-worker', 'written', { metadata: { by: 'worker' }, expirationTtl: 3600 });
        await env.KV.put('list/a', '1'); await env.KV.put('list/b', '2'); await env.KV.put('list/c', '3');
        return new Response('ok');
      }
      const json = await env.KV.get('from-api', 'json');
      const text = await env.KV.get('from-api');
      const buffer = await env.KV.get('from-api', { type: 'arrayBuffer' });
      const stream = await new Response(await env.KV.get('from-api', 'stream')).text();
      const withMeta = await env.KV.getWithMetadata('from-worker');
      const first = await env.KV.list({ prefix: 'list/', limit: 2 });
      const rest = await env.KV.list({ prefix: 'list/', cursor: first.cursor });
      await env.KV.delete('list/c');
      const missing = await env.KV.get('list/c');
      return Response.json({ json, text, bytes: buffer.byteLength, stream, withMeta, first, rest, missing });
    } };`;
    await deploy('kv', { bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: namespaceId }] }, [esModule('index.mjs', source)]);
    assert.equal((await visit(platform.ingress, 'kv', '/write')).body, 'ok');
    const body = JSON.parse((await visit(platform.ingress, 'kv', '/read')).body);
    assert.deepEqual(body.json, { set: 'by api' });
    assert.equal(body.text, '{"set":"by api"}');
    assert.equal(body.bytes, 16);
    assert.equal(body.stream, '{"set":"by api"}');
    assert.deepEqual(body.withMeta, { value: 'written', metadata: { by: 'worker' } });
    assert.deepEqual(body.first.keys.map((k: { name: string }) => k.name), ['list/a', 'list/b']);
    assert.equal(body.first.list_complete, false);
    assert.deepEqual(body.rest.keys.map((k: { name: string }) => k.name), ['list/c']);
    assert.equal(body.rest.list_complete, true);
    assert.equal(body.missing, null);
    const viaApi = await api.raw('GET', `/storage/kv/namespaces/${namespaceId}/values/from-worker`);
    assert.equal(await viaApi.text(), 'written');
  });

  it('binds services to other scripts of the namespace', async () => {
    await deploy('backend', {}, [esModule('index.mjs', `export default { fetch(request) { return new Response('backend saw ' + new URL(request.url).pathname); } };`)]);
    await deploy('frontend', { bindings: [{ type: 'service', name: 'BACKEND', service: 'backend' }] }, [
      esModule('index.mjs', `export default { async fetch(request, env) { const r = await env.BACKEND.fetch('http://backend/inner'); return new Response('front+' + await r.text()); } };`),
    ]);
    assert.equal((await visit(platform.ingress, 'frontend')).body, 'front+backend saw /inner');
  });

  it('answers 1101 when a script throws, and logs namespace, script and version', async () => {
    const uploaded = await deploy('thrower', {}, [esModule('index.mjs', `export default { fetch() { throw new Error('deliberate failure'); } };`)]);
    const response = await visit(platform.ingress, 'thrower');
    assert.equal(response.status, 500);
    assert.equal(response.headers['cf-error-code'], '1101');
    assert.match(response.body, /Error 1101/);
    assert.doesNotMatch(response.body, /deliberate failure/);
    const deadline = Date.now() + 5000;
    while (!platform.output().includes('deliberate failure') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const line = platform.output().split('\n').find((l) => l.includes('deliberate failure')) ?? '';
    assert.match(line, /"namespace":"production"/);
    assert.match(line, /"script":"thrower"/);
    assert.ok(line.includes(uploaded.body.result.version_id), 'the log line names the version');
  });

  it('rejects a script that does not compile or throws at start-up, at upload, and keeps the old version serving', async () => {
    await deploy('stable', {}, [esModule('index.mjs', `export default { fetch() { return new Response('still v1'); } };`)]);
    const syntax = await deploy('stable', {}, [esModule('index.mjs', `export default { fetch() { return new Response('oops') }`)]);
    assert.equal(syntax.status, 400);
    assert.equal(syntax.body.errors[0].code, 10021);
    assert.match(syntax.body.errors[0].message, /SyntaxError/);
    const topLevel = await deploy('stable', {}, [esModule('index.mjs', `throw new Error('no config at start'); export default {};`)]);
    assert.equal(topLevel.status, 400);
    assert.match(topLevel.body.errors[0].message, /no config at start/);
    const serviceWorker = workerForm({ body_part: 'sw.js' }, [{ name: 'sw.js', type: 'application/javascript', content: `addEventListener('fetch', (e) => {` }]);
    const badSw = await api.put('/workers/dispatch/namespaces/production/scripts/stable', serviceWorker);
    assert.equal(badSw.status, 400);
    assert.match(badSw.body.errors[0].message, /SyntaxError/);
    assert.equal((await visit(platform.ingress, 'stable')).body, 'still v1');
    const never = await api.get('/workers/dispatch/namespaces/production/scripts/never-compiled');
    assert.equal((await deploy('never-compiled', {}, [esModule('index.mjs', 'export default {')])).status, 400);
    assert.equal(never.status, 404);
    assert.equal((await api.get('/workers/dispatch/namespaces/production/scripts/never-compiled')).status, 404);
  });
});
