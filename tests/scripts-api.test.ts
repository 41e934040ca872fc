import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, esModule, helloWorker, uploadScript, workerForm } from './helpers/api.ts';
import { removeDataDir, startPlatform, type RunningPlatform } from './helpers/platform.ts';

describe('dispatch namespace scripts over raw HTTP', () => {
  let platform: RunningPlatform;
  let api: Api;
  const ns = '/workers/dispatch/namespaces/api-tests';
  const put = (name: string, form: FormData) => api.put(`${ns}/scripts/${name}`, form);

  before(async () => {
    platform = await startPlatform();
    api = new Api(platform);
    await api.post('/workers/dispatch/namespaces', { name: 'api-tests' });
  });
  after(async () => {
    await platform.stop();
    await removeDataDir(platform);
  });

  it('rejects each kind of bad upload with a 4xx naming the problem, and stores nothing', async () => {
    const cases: [string, FormData | string, number, RegExp][] = [
      ['no metadata', (() => { const f = new FormData(); f.append('worker.mjs', new File(['export default {}'], 'worker.mjs', { type: 'application/javascript+module' })); return f; })(), 400, /no "metadata" part/],
      ['metadata not JSON', (() => { const f = new FormData(); f.append('metadata', '{nope'); return f; })(), 400, /not valid JSON/],
      ['missing main module', workerForm({ main_module: 'absent.mjs' }, [helloWorker()]), 400, /absent\.mjs.*worker\.mjs/],
      ['entry not JavaScript', workerForm({ main_module: 'notes.txt' }, [{ name: 'notes.txt', content: 'hi', type: 'text/plain' }]), 400, /must be JavaScript/],
      ['unknown binding type', workerForm({ main_module: 'worker.mjs', bindings: [{ type: 'd1', name: 'DB', id: 'x' }] }, [helloWorker()]), 400, /unknown type "d1"/],
      ['duplicate binding', workerForm({ main_module: 'worker.mjs', bindings: [{ type: 'plain_text', name: 'A', text: '1' }, { type: 'plain_text', name: 'A', text: '2' }] }, [helloWorker()]), 400, /"A" is used more than once/],
      ['missing KV namespace', workerForm({ main_module: 'worker.mjs', bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: 'f'.repeat(32) }] }, [helloWorker()]), 400, /does not exist/],
      ['bad compatibility date', workerForm({ main_module: 'worker.mjs', compatibility_date: 'yesterday' }, [helloWorker()]), 400, /YYYY-MM-DD/],
      ['nine tags', workerForm({ main_module: 'worker.mjs', tags: Array.from({ length: 9 }, (_, i) => `t${i}`) }, [helloWorker()]), 400, /at most 8 tags/],
      ['assets binding without assets', workerForm({ main_module: 'worker.mjs', bindings: [{ type: 'assets', name: 'ASSETS' }] }, [helloWorker()]), 400, /needs assets/],
      ['unknown content type', workerForm({ main_module: 'worker.mjs' }, [helloWorker(), { name: 'x.py', content: 'print(1)', type: 'text/x-python' }]), 400, /Python Workers are not supported/],
      ['too large', workerForm({ main_module: 'worker.mjs' }, [helloWorker(), { name: 'big.bin', content: new Uint8Array(11 * 1024 * 1024), type: 'application/octet-stream' }]), 413, /size limit of 10 MiB/],
    ];
    for (const [label, body, status, message] of cases) {
      const response = typeof body === 'string' ? await api.call('PUT', `${ns}/scripts/bad`, body, { 'content-type': 'text/plain' }) : await put('bad', body);
      assert.equal(response.status, status, `${label}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.success, false, label);
      assert.match(response.body.errors[0].message, message, label);
      assert.ok(response.body.errors[0].code >= 10000, label);
    }
    const notMultipart = await api.call('PUT', `${ns}/scripts/bad`, 'export default {}', { 'content-type': 'application/javascript' });
    assert.equal(notMultipart.status, 400);
    assert.match(notMultipart.body.errors[0].message, /multipart\/form-data/);
    const badName = await uploadScript(api, 'api-tests', 'Bad_Name!', {}, [helloWorker()]);
    assert.equal(badName.status, 400);
    assert.equal(badName.body.errors[0].code, 10016);
    assert.equal((await api.get(`${ns}/scripts/bad`)).status, 404);
    assert.equal((await api.get(ns)).body.result.script_count, 0);
  });

  it('lists scripts in pages, filtered by tags, and deletes them by tag', async () => {
    for (let i = 0; i < 7; i++) {
      const tags = [`customer-${i % 2}`, ...(i === 3 ? ['vip'] : [])];
      assert.equal((await uploadScript(api, 'api-tests', `list-${i}`, { tags }, [helloWorker()])).status, 200);
    }
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const response = await api.get(`${ns}/scripts?per_page=3&page=${page}`);
      assert.equal(response.status, 200);
      assert.deepEqual({ ...response.body.result_info }, { page, per_page: 3, count: page < 3 ? 3 : 1, total_count: 7, total_pages: 3 });
      seen.push(...response.body.result.map((entry: { script: { id: string } }) => entry.script.id));
    }
    assert.deepEqual(seen, Array.from({ length: 7 }, (_, i) => `list-${i}`));
    const badPage = await api.get(`${ns}/scripts?page=0`);
    assert.equal(badPage.status, 400);
    assert.match(badPage.body.errors[0].message, /page must be a positive integer/);

    const customer1 = await api.get(`${ns}/scripts?tags=customer-1:yes`);
    assert.deepEqual(customer1.body.result.map((e: { script: { id: string } }) => e.script.id), ['list-1', 'list-3', 'list-5']);
    const notVip = await api.get(`${ns}/scripts?tags=customer-1:yes,vip:no`);
    assert.deepEqual(notVip.body.result.map((e: { script: { id: string } }) => e.script.id), ['list-1', 'list-5']);
    assert.equal((await api.get(`${ns}/scripts?tags=vip:maybe`)).status, 400);

    const deleted = await api.delete(`${ns}/scripts?tags=customer-0%3Ayes`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body.result, { deleted: [{ id: 'list-0' }, { id: 'list-2' }, { id: 'list-4' }, { id: 'list-6' }], deleted_count: 4, has_more: false });
    const left = await api.get(`${ns}/scripts`);
    assert.deepEqual(left.body.result.map((e: { script: { id: string } }) => e.script.id), ['list-1', 'list-3', 'list-5']);
  });

  it('keeps every upload as an immutable version and reports the live one', async () => {
    const first = await uploadScript(api, 'api-tests', 'versioned', {}, [esModule('worker.mjs', 'export default { fetch() { return new Response("1"); } };')]);
    const second = await uploadScript(api, 'api-tests', 'versioned', {}, [esModule('worker.mjs', 'export default { fetch() { return new Response("2"); } };')]);
    assert.notEqual(first.body.result.version_id, second.body.result.version_id);
    assert.notEqual(first.body.result.etag, second.body.result.etag);
    const versions = await api.get(`${ns}/scripts/versioned/versions`);
    assert.deepEqual(versions.body.result.map((v: { number: number; live: boolean }) => [v.number, v.live]), [[2, true], [1, false]]);
    const details = await api.get(`${ns}/scripts/versioned`);
    assert.equal(details.body.result.script.version_id, second.body.result.version_id);
    assert.equal(details.body.result.dispatch_namespace, 'api-tests');
  });

  it('manages tags: put all, get, put one, delete one, at most 8', async () => {
    await uploadScript(api, 'api-tests', 'tagged', {}, [helloWorker()]);
    const path = `${ns}/scripts/tagged/tags`;
    assert.deepEqual((await api.put(path, ['b', 'a'])).body.result, ['a', 'b']);
    assert.equal((await api.put(`${path}/c`)).status, 200);
    assert.deepEqual((await api.get(path)).body.result, ['a', 'b', 'c']);
    assert.equal((await api.delete(`${path}/a`)).status, 200);
    assert.deepEqual((await api.get(path)).body.result, ['b', 'c']);
    for (const tag of ['d', 'e', 'f', 'g', 'h', 'i']) assert.equal((await api.put(`${path}/${tag}`)).status, 200);
    const ninth = await api.put(`${path}/j`);
    assert.equal(ninth.status, 400);
    assert.match(ninth.body.errors[0].message, /already has 8 tags/);
    assert.equal((await api.put(path, 'not-an-array')).status, 400);
    assert.equal((await api.get(`${ns}/scripts/nobody/tags`)).status, 404);
  });

  it('never returns a secret value, and rejects bad secret and settings requests', async () => {
    await uploadScript(api, 'api-tests', 'secretive', { bindings: [{ type: 'secret_text', name: 'KEY', text: 'do-not-leak-1' }, { type: 'plain_text', name: 'PLAIN', text: 'p' }] }, [helloWorker()]);
    await api.put(`${ns}/scripts/secretive/secrets`, { name: 'OTHER', text: 'do-not-leak-2', type: 'secret_text' });
    for (const path of ['', '/bindings', '/settings', '/secrets', '/secrets/KEY', '/versions']) {
      const text = JSON.stringify((await api.get(`${ns}/scripts/secretive${path}`)).body);
      assert.ok(!text.includes('do-not-leak'), `${path} leaks a secret`);
    }
    assert.ok(!JSON.stringify((await api.get(`${ns}/scripts`)).body).includes('do-not-leak'));
    const clash = await api.put(`${ns}/scripts/secretive/secrets`, { name: 'PLAIN', text: 'x', type: 'secret_text' });
    assert.equal(clash.status, 400);
    assert.match(clash.body.errors[0].message, /already exists with type plain_text/);
    assert.equal((await api.put(`${ns}/scripts/secretive/secrets`, { name: 'NO_TEXT' })).status, 400);
    assert.equal((await api.get(`${ns}/scripts/secretive/secrets/NOPE`)).status, 404);
    const badSettings = await api.patch(`${ns}/scripts/secretive/settings`, { limits: { cpu_ms: -5 } });
    assert.equal(badSettings.status, 400);
    assert.match(badSettings.body.errors[0].message, /cpu_ms/);
    const kept = await api.patch(`${ns}/scripts/secretive/settings`, { bindings: [{ type: 'plain_text', name: 'PLAIN', text: 'changed' }] });
    assert.equal(kept.status, 200);
    assert.deepEqual(kept.body.result.bindings.map((b: { name: string }) => b.name).sort(), ['KEY', 'OTHER', 'PLAIN']);
  });
});
