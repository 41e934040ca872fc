import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, esModule, helloWorker, uploadScript, workerForm, type ModulePart } from './helpers/api.ts';
import { uploadAssets } from './helpers/assets.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

/** The smallest valid WebAssembly module: magic and version, no sections. */
const emptyWasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Binding = { name: string; type: string } & Record<string, unknown>;
const byName = (bindings: Binding[]) => [...bindings].sort((a, b) => a.name.localeCompare(b.name));

describe('dispatch namespace scripts: upload, versions, details', () => {
  let platform: RunningPlatform;
  let api: Api;
  const scriptsOf = (namespace: string) => `/workers/dispatch/namespaces/${namespace}/scripts`;
  const put = (namespace: string, name: string, form: FormData) => api.put(`${scriptsOf(namespace)}/${name}`, form);
  const newNamespace = async (name: string) => {
    const created = await api.post('/workers/dispatch/namespaces', { name });
    assert.equal(created.status, 200, JSON.stringify(created.body.errors));
    return name;
  };

  usePlatform({}, (started) => ({ platform, api } = started));

  describe('upload', () => {
    it('takes an ES module worker and answers with the Script object of the new version', async () => {
      const ns = await newNamespace('up-esm');
      const uploaded = await uploadScript(api, ns, 'esm-worker', {}, [helloWorker()]);
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
      assert.equal(uploaded.body.success, true);
      assert.deepEqual(uploaded.body.errors, []);
      const result = uploaded.body.result;
      assert.equal(result.id, 'esm-worker');
      assert.equal(result.has_modules, true);
      assert.equal(result.has_assets, false);
      assert.match(result.etag, /^[0-9a-f]{64}$/);
      assert.match(result.version_id, uuidPattern);
      assert.match(result.created_on, isoPattern);
      assert.match(result.modified_on, isoPattern);
      assert.deepEqual(result.tags, []);
      assert.equal((await api.get(`/workers/dispatch/namespaces/${ns}`)).body.result.script_count, 1);
    });

    it('takes a service-worker script named by metadata.body_part', async () => {
      const ns = await newNamespace('up-sw');
      const form = workerForm({ body_part: 'script.js' }, [
        { name: 'script.js', type: 'application/javascript', content: `addEventListener('fetch', (event) => event.respondWith(new Response('sw')));` },
      ]);
      const uploaded = await put(ns, 'sw-worker', form);
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
      assert.equal(uploaded.body.result.has_modules, false);
      const details = await api.get(`${scriptsOf(ns)}/sw-worker`);
      assert.equal(details.body.result.script.has_modules, false);
      const content = await api.raw('GET', `${scriptsOf(ns)}/sw-worker/content`);
      assert.equal(content.headers.get('cf-entrypoint'), 'script.js');
    });

    it('takes a CommonJS module as main_module', async () => {
      const ns = await newNamespace('up-cjs');
      const uploaded = await uploadScript(api, ns, 'cjs-worker', {}, [
        { name: 'index.js', type: 'application/javascript', content: `const { word } = require('./lib.js'); module.exports = { fetch() { return new Response(word); } };` },
        { name: 'lib.js', type: 'application/javascript', content: `exports.word = 'cjs';` },
      ]);
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
      assert.equal(uploaded.body.result.has_modules, true);
    });

    it('keeps text, data, JSON, wasm and source-map parts beside the entry module', async () => {
      const ns = await newNamespace('up-parts');
      const modules: ModulePart[] = [
        esModule(
          'main.mjs',
          `import text from './note.txt'; import data from './bytes.bin'; import config from './config.json'; import wasm from './empty.wasm';
           export default { fetch() { return Response.json({ text, size: data.byteLength, config, wasm: wasm instanceof WebAssembly.Module }); } };`,
        ),
        { name: 'note.txt', content: 'a note', type: 'text/plain' },
        { name: 'bytes.bin', content: new Uint8Array([0, 1, 2, 255]), type: 'application/octet-stream' },
        { name: 'config.json', content: '{"mode":"test"}', type: 'application/json' },
        { name: 'empty.wasm', content: emptyWasm, type: 'application/wasm' },
        { name: 'main.mjs.map', content: '{"version":3,"sources":[],"mappings":""}', type: 'application/source-map' },
      ];
      const uploaded = await uploadScript(api, ns, 'many-parts', {}, modules);
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));

      const content = await api.raw('GET', `${scriptsOf(ns)}/many-parts/content`);
      assert.equal(content.status, 200);
      const form = await new Response(content.body, { headers: content.headers }).formData();
      assert.deepEqual([...form.keys()].sort(), modules.map((m) => m.name).sort());
      for (const module of modules) {
        const part = form.get(module.name);
        assert.ok(part instanceof File, `${module.name} is a file part`);
        assert.equal(part.type, module.type, `${module.name} keeps its content type`);
        const expected = typeof module.content === 'string' ? new TextEncoder().encode(module.content) : module.content;
        assert.deepEqual(new Uint8Array(await part.arrayBuffer()), expected, `${module.name} keeps its bytes`);
      }
    });

    it('reflects compatibility_date and compatibility_flags in settings and details', async () => {
      const ns = await newNamespace('up-compat');
      const uploaded = await uploadScript(api, ns, 'compat', { compatibility_date: '2025-01-01', compatibility_flags: ['nodejs_compat'] }, [
        esModule('index.mjs', `import { Buffer } from 'node:buffer'; export default { fetch() { return new Response(Buffer.from('x').toString('hex')); } };`),
      ]);
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
      assert.equal(uploaded.body.result.compatibility_date, '2025-01-01');
      assert.deepEqual(uploaded.body.result.compatibility_flags, ['nodejs_compat']);
      const settings = await api.get(`${scriptsOf(ns)}/compat/settings`);
      assert.equal(settings.body.result.compatibility_date, '2025-01-01');
      assert.deepEqual(settings.body.result.compatibility_flags, ['nodejs_compat']);
      const details = await api.get(`${scriptsOf(ns)}/compat`);
      assert.equal(details.body.result.script.compatibility_date, '2025-01-01');
    });

    it('stores plain_text, json, secret_text, kv_namespace and service bindings, showing no secret value', async () => {
      const ns = await newNamespace('up-bindings');
      const kv = await api.post('/storage/kv/namespaces', { title: 'scripts-test-bindings' });
      assert.equal(kv.status, 200, JSON.stringify(kv.body.errors));
      const kvId = kv.body.result.id as string;
      assert.equal((await uploadScript(api, ns, 'backend', {}, [helloWorker('backend')])).status, 200);
      const uploaded = await uploadScript(api, ns, 'bound', {
        bindings: [
          { type: 'plain_text', name: 'PLAIN', text: 'plain value' },
          { type: 'json', name: 'CONFIG', json: { nested: [1, 2] } },
          { type: 'secret_text', name: 'SECRET', text: 'bindings-secret-value' },
          { type: 'kv_namespace', name: 'STORE', namespace_id: kvId },
          { type: 'service', name: 'BACKEND', service: 'backend' },
        ],
      });
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
      assert.ok(!JSON.stringify(uploaded.body).includes('bindings-secret-value'));
      const bindings = await api.get(`${scriptsOf(ns)}/bound/bindings`);
      assert.equal(bindings.status, 200);
      assert.deepEqual(byName(bindings.body.result), [
        { type: 'service', name: 'BACKEND', service: 'backend' },
        { type: 'json', name: 'CONFIG', json: { nested: [1, 2] } },
        { type: 'plain_text', name: 'PLAIN', text: 'plain value' },
        { type: 'secret_text', name: 'SECRET' },
        { type: 'kv_namespace', name: 'STORE', namespace_id: kvId },
      ]);
    });

    it('binds a service only to a script of the same namespace that exists, or to itself', async () => {
      const ns = await newNamespace('up-service-target');
      const other = await newNamespace('up-service-elsewhere');
      assert.equal((await uploadScript(api, other, 'backend', {}, [helloWorker('elsewhere')])).status, 200);
      const elsewhere = await uploadScript(api, ns, 'frontend', { bindings: [{ type: 'service', name: 'API', service: 'backend' }] });
      assert.equal(elsewhere.status, 400);
      assert.equal(elsewhere.body.errors[0].code, 10143);
      assert.match(elsewhere.body.errors[0].message, /service binding 'API'\. Target script 'backend' not found/);
      const itself = await uploadScript(api, ns, 'recursive', { bindings: [{ type: 'service', name: 'SELF', service: 'recursive' }] });
      assert.equal(itself.status, 200, JSON.stringify(itself.body.errors));
    });

    it('takes an assets binding with uploaded assets, and rejects one without', async () => {
      const ns = await newNamespace('up-assets');
      const without = await uploadScript(api, ns, 'site', { bindings: [{ type: 'assets', name: 'ASSETS' }] });
      assert.equal(without.status, 400);
      assert.equal(without.body.success, false);
      assert.match(without.body.errors[0].message, /"ASSETS" of type assets needs assets/);
      const jwt = await uploadAssets(api, ns, 'site', { '/index.html': '<h1>scripts test</h1>' });
      const uploaded = await uploadScript(api, ns, 'site', { assets: { jwt }, bindings: [{ type: 'assets', name: 'ASSETS' }] });
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
      assert.equal(uploaded.body.result.has_assets, true);
      assert.deepEqual((await api.get(`${scriptsOf(ns)}/site/bindings`)).body.result, [{ type: 'assets', name: 'ASSETS' }]);
    });

    it('copies a binding of the previous version with inherit, and rejects inherit of an unknown name', async () => {
      const ns = await newNamespace('up-inherit');
      await uploadScript(api, ns, 'heir', { bindings: [{ type: 'secret_text', name: 'TOKEN', text: 'inherited-value' }, { type: 'plain_text', name: 'OLD', text: 'x' }] });
      const redeployed = await uploadScript(api, ns, 'heir', { bindings: [{ type: 'inherit', name: 'TOKEN' }, { type: 'plain_text', name: 'NEW', text: 'y' }] });
      assert.equal(redeployed.status, 200, JSON.stringify(redeployed.body.errors));
      assert.deepEqual(byName((await api.get(`${scriptsOf(ns)}/heir/bindings`)).body.result), [
        { type: 'plain_text', name: 'NEW', text: 'y' },
        { type: 'secret_text', name: 'TOKEN' },
      ]);
      const unknown = await uploadScript(api, ns, 'heir', { bindings: [{ type: 'inherit', name: 'NEVER_BOUND' }] });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.errors[0].message, /"NEVER_BOUND" of type inherit/);
    });

    it('keeps secrets on redeploy with keep_bindings ["secret_text"] and drops them without', async () => {
      // "production" is the namespace the ingress serves, so the worker shows what it was given.
      const name = 'scripts-test-keep';
      const source = esModule('index.mjs', `export default { fetch(request, env) { return Response.json({ key: env.KEY ?? null, plain: env.PLAIN ?? null }); } };`);
      const first = await uploadScript(api, 'production', name, { bindings: [{ type: 'secret_text', name: 'KEY', text: 'kept-secret' }, { type: 'plain_text', name: 'PLAIN', text: 'p' }] }, [source]);
      assert.equal(first.status, 200, JSON.stringify(first.body.errors));
      assert.deepEqual(JSON.parse((await visit(platform.ingress, name)).body), { key: 'kept-secret', plain: 'p' });

      const kept = await uploadScript(api, 'production', name, { keep_bindings: ['secret_text'] }, [source]);
      assert.equal(kept.status, 200, JSON.stringify(kept.body.errors));
      assert.deepEqual((await api.get(`${scriptsOf('production')}/${name}/bindings`)).body.result, [{ type: 'secret_text', name: 'KEY' }]);
      assert.deepEqual(JSON.parse((await visit(platform.ingress, name)).body), { key: 'kept-secret', plain: null });

      const dropped = await uploadScript(api, 'production', name, {}, [source]);
      assert.equal(dropped.status, 200, JSON.stringify(dropped.body.errors));
      assert.deepEqual((await api.get(`${scriptsOf('production')}/${name}/bindings`)).body.result, []);
      assert.deepEqual(JSON.parse((await visit(platform.ingress, name)).body), { key: null, plain: null });
      await api.delete(`${scriptsOf('production')}/${name}`);
    });

    it('sets the tags given in metadata, answering them as stored: sorted, without repeats', async () => {
      const ns = await newNamespace('up-tags');
      const uploaded = await uploadScript(api, ns, 'tagged', { tags: ['production', 'customer-123', 'production'] });
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
      assert.deepEqual(uploaded.body.result.tags, ['customer-123', 'production']);
      assert.deepEqual((await api.get(`${scriptsOf(ns)}/tagged/tags`)).body.result, ['customer-123', 'production']);
      assert.deepEqual((await api.get(`${scriptsOf(ns)}/tagged`)).body.result.script.tags, ['customer-123', 'production']);
    });

    it('makes each upload a new version, listed newest first', async () => {
      const ns = await newNamespace('up-versions');
      const uploads = [];
      for (const text of ['one', 'two', 'three']) {
        const uploaded = await uploadScript(api, ns, 'versioned', {}, [helloWorker(text)]);
        assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
        uploads.push(uploaded.body.result as { version_id: string; etag: string });
      }
      assert.equal(new Set(uploads.map((u) => u.version_id)).size, 3, 'every upload has its own version_id');
      assert.equal(new Set(uploads.map((u) => u.etag)).size, 3, 'every upload has its own etag');
      const versions = await api.get(`${scriptsOf(ns)}/versioned/versions`);
      assert.equal(versions.status, 200);
      assert.deepEqual(
        versions.body.result.map((v: { id: string; number: number; live: boolean; etag: string }) => [v.id, v.number, v.live, v.etag]),
        [
          [uploads[2].version_id, 3, true, uploads[2].etag],
          [uploads[1].version_id, 2, false, uploads[1].etag],
          [uploads[0].version_id, 1, false, uploads[0].etag],
        ],
      );
      for (const version of versions.body.result) assert.match(version.created_on, isoPattern);
      const details = await api.get(`${scriptsOf(ns)}/versioned`);
      assert.equal(details.body.result.script.version_id, uploads[2].version_id);
      assert.equal(details.body.result.script.etag, uploads[2].etag);
    });
  });

  describe('bad uploads', () => {
    const bigModule = (): ModulePart => ({ name: 'big.bin', content: new Uint8Array(10 * 1024 * 1024 + 1), type: 'application/octet-stream' });
    const cases: { label: string; form: () => FormData; status: number; code?: number; message: RegExp }[] = [
      {
        label: 'no metadata part',
        form: () => {
          const form = new FormData();
          form.append('worker.mjs', new File(['export default {}'], 'worker.mjs', { type: 'application/javascript+module' }));
          return form;
        },
        status: 400,
        message: /no "metadata" part/,
      },
      {
        label: 'metadata that is not JSON',
        form: () => {
          const form = new FormData();
          form.append('metadata', new Blob(['{"main_module": '], { type: 'application/json' }));
          form.append('worker.mjs', new File(['export default {}'], 'worker.mjs', { type: 'application/javascript+module' }));
          return form;
        },
        status: 400,
        message: /"metadata" part is not valid JSON/,
      },
      {
        label: 'two metadata parts',
        form: () => {
          const form = workerForm({ main_module: 'worker.mjs' }, [helloWorker()]);
          form.append('metadata', new Blob([JSON.stringify({ main_module: 'other.mjs' })], { type: 'application/json' }));
          return form;
        },
        status: 400,
        code: 10021,
        message: /more than one "metadata" part/,
      },
      { label: 'main_module naming a missing part', form: () => workerForm({ main_module: 'absent.mjs' }, [helloWorker()]), status: 400, message: /"absent\.mjs".*no part.*"worker\.mjs"/ },
      {
        label: 'an entry part that is not JavaScript',
        form: () => workerForm({ main_module: 'readme.txt' }, [{ name: 'readme.txt', content: 'hello', type: 'text/plain' }]),
        status: 400,
        message: /"readme\.txt" must be JavaScript/,
      },
      {
        label: 'an unknown binding type',
        form: () => workerForm({ main_module: 'worker.mjs', bindings: [{ type: 'd1', name: 'DB', id: 'x' }] }, [helloWorker()]),
        status: 400,
        message: /"DB" has unknown type "d1"/,
      },
      {
        label: 'duplicate binding names',
        form: () =>
          workerForm({ main_module: 'worker.mjs', bindings: [{ type: 'plain_text', name: 'TWICE', text: '1' }, { type: 'json', name: 'TWICE', json: 2 }] }, [helloWorker()]),
        status: 400,
        message: /"TWICE" is used more than once/,
      },
      {
        label: 'a kv_namespace that does not exist',
        form: () => workerForm({ main_module: 'worker.mjs', bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: '0'.repeat(32) }] }, [helloWorker()]),
        status: 400,
        message: /KV namespace "0{32}" does not exist/,
      },
      {
        label: 'a service binding to a script that does not exist',
        form: () => workerForm({ main_module: 'worker.mjs', bindings: [{ type: 'service', name: 'BACKEND', service: 'not-deployed' }] }, [helloWorker()]),
        status: 400,
        code: 10143,
        message: /Could not resolve service binding 'BACKEND'\. Target script 'not-deployed' not found in this dispatch namespace: upload 'not-deployed' first/,
      },
      { label: 'modules over 10 MiB', form: () => workerForm({ main_module: 'worker.mjs' }, [helloWorker(), bigModule()]), status: 413, code: 10027, message: /10 MiB/ },
      {
        label: 'a bad compatibility_date',
        form: () => workerForm({ main_module: 'worker.mjs', compatibility_date: '01/02/2025' }, [helloWorker()]),
        status: 400,
        message: /compatibility_date must be a date written YYYY-MM-DD/,
      },
      {
        label: 'a CPU limit over the platform maximum',
        form: () => workerForm({ main_module: 'worker.mjs', limits: { cpu_ms: 2147483647 } }, [helloWorker()]),
        status: 400,
        code: 10021,
        message: /cpu_ms is 2147483647 ms; this platform allows at most 30000 ms of CPU time per invocation/,
      },
      {
        label: 'more than 8 tags',
        form: () => workerForm({ main_module: 'worker.mjs', tags: Array.from({ length: 9 }, (_, i) => `tag-${i}`) }, [helloWorker()]),
        status: 400,
        message: /at most 8 tags; 9 were given/,
      },
    ];
    for (const { label, form, status, code, message } of cases) {
      it(`rejects ${label} and stores nothing`, async () => {
        const ns = `bad-${label.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`.slice(0, 60);
        await newNamespace(ns);
        const response = await put(ns, 'rejected', form());
        assert.equal(response.status, status, JSON.stringify(response.body));
        assert.equal(response.body.success, false);
        assert.equal(response.body.result, null);
        if (code !== undefined) assert.equal(response.body.errors[0].code, code);
        assert.ok(response.body.errors[0].code >= 10000, `error code ${response.body.errors[0].code}`);
        assert.match(response.body.errors[0].message, message);
        assert.equal((await api.get(`${scriptsOf(ns)}/rejected`)).status, 404);
        assert.equal((await api.get(`/workers/dispatch/namespaces/${ns}`)).body.result.script_count, 0);
      });
    }

    it('rejects a bad script name', async () => {
      const ns = await newNamespace('bad-name');
      const response = await uploadScript(api, ns, 'Bad_Name!');
      assert.equal(response.status, 400);
      assert.equal(response.body.success, false);
      assert.equal(response.body.errors[0].code, 10016);
      assert.match(response.body.errors[0].message, /Invalid script name "Bad_Name!"/);
      assert.deepEqual((await api.get(scriptsOf(ns))).body.result, []);
    });

    it('rejects a body that is not multipart', async () => {
      const ns = await newNamespace('bad-not-multipart');
      const js = await api.call('PUT', `${scriptsOf(ns)}/plain`, 'export default { fetch() { return new Response("x"); } };', { 'content-type': 'application/javascript' });
      assert.equal(js.status, 400);
      assert.equal(js.body.success, false);
      assert.match(js.body.errors[0].message, /Expected a multipart\/form-data body, got "application\/javascript"/);
      const json = await api.put(`${scriptsOf(ns)}/plain`, { main_module: 'worker.mjs' });
      assert.equal(json.status, 400);
      assert.match(json.body.errors[0].message, /multipart\/form-data/);
      assert.equal((await api.get(`${scriptsOf(ns)}/plain`)).status, 404);
    });

    it('rejects an upload into a namespace that does not exist', async () => {
      const response = await uploadScript(api, 'no-such-namespace', 'orphan');
      assert.equal(response.status, 404);
      assert.match(response.body.errors[0].message, /"no-such-namespace" was not found/);
    });
  });

  describe('details', () => {
    it('describes a script: created_on, modified_on, dispatch_namespace and the script', async () => {
      const ns = await newNamespace('details');
      const first = await uploadScript(api, ns, 'described', { tags: ['t1'], compatibility_date: '2024-11-01' });
      assert.equal(first.status, 200, JSON.stringify(first.body.errors));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const second = await uploadScript(api, ns, 'described', { compatibility_date: '2024-11-01' });
      const details = await api.get(`${scriptsOf(ns)}/described`);
      assert.equal(details.status, 200);
      assert.equal(details.body.success, true);
      const { result } = details.body;
      assert.deepEqual(Object.keys(result).sort(), ['created_on', 'dispatch_namespace', 'modified_on', 'script']);
      assert.equal(result.dispatch_namespace, ns);
      assert.match(result.created_on, isoPattern);
      assert.match(result.modified_on, isoPattern);
      assert.equal(result.created_on, first.body.result.created_on, 'created_on is the first upload');
      assert.equal(result.modified_on, second.body.result.modified_on, 'modified_on is the last upload');
      assert.ok(result.modified_on > result.created_on);
      const { script } = result;
      assert.equal(script.id, 'described');
      assert.equal(script.etag, second.body.result.etag);
      assert.equal(script.version_id, second.body.result.version_id);
      assert.deepEqual(script.tags, ['t1'], 'tags survive an upload that names none');
      assert.equal(script.has_modules, true);
      assert.equal(script.has_assets, false);
      assert.equal(script.compatibility_date, '2024-11-01');
      assert.deepEqual(script.compatibility_flags, []);
      assert.equal(script.usage_model, 'standard');
      assert.equal(script.logpush, false);
    });

    it('answers 404 (code 10092, as wrangler expects) for an unknown script', async () => {
      const ns = await newNamespace('details-missing');
      for (const path of ['', '/content', '/bindings', '/settings', '/versions', '/secrets', '/tags']) {
        const response = await api.get(`${scriptsOf(ns)}/ghost${path}`);
        assert.equal(response.status, 404, path);
        assert.equal(response.body.success, false, path);
        assert.equal(response.body.errors[0].code, 10092, path);
        assert.match(response.body.errors[0].message, /Script "ghost" was not found/, path);
      }
    });

    it('answers 404 for an unknown namespace', async () => {
      for (const path of ['', '/ghost', '/ghost/settings']) {
        const response = await api.get(`${scriptsOf('never-created')}${path}`);
        assert.equal(response.status, 404, path);
        assert.equal(response.body.success, false);
        assert.match(response.body.errors[0].message, /Dispatch namespace "never-created" was not found/, path);
      }
    });
  });
});
