import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, esModule, helloWorker, uploadScript, workerForm, type ApiResponse } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

const mib = 1024 * 1024;
const scriptPath = (name: string) => `/workers/dispatch/namespaces/production/scripts/${name}`;

function assertRefused(response: ApiResponse, status: number, code: number, message: RegExp): void {
  assert.equal(response.status, status, JSON.stringify(response.body).slice(0, 500));
  assert.equal(response.body.success, false);
  assert.equal(response.body.result, null);
  assert.equal(response.body.errors[0].code, code);
  assert.match(response.body.errors[0].message, message);
}

/** A form whose metadata part is the given text, as an attacker would hand-craft it. */
function rawMetadataForm(metadata: string): FormData {
  const form = new FormData();
  form.append('metadata', new Blob([metadata], { type: 'application/json' }));
  form.append('worker.mjs', new File(['export default { fetch() { return new Response("x"); } };'], 'worker.mjs', { type: 'application/javascript+module' }));
  return form;
}

describe('upload limits: every part and the metadata are bounded', () => {
  let platform: RunningPlatform;
  let api: Api;
  let innocent: Api;

  usePlatform({}, async (started) => {
    ({ platform, api } = started);
    const account = await api.call('POST', '//accounts', { name: 'innocent tenant' });
    const token = await new Api(platform, platform.token, account.body.result.id).post('/tokens', { name: 'innocent' });
    innocent = new Api(platform, token.body.result.value, account.body.result.id);
    assert.equal((await innocent.post('/workers/dispatch/namespaces', { name: 'production' })).status, 200);
  });

  it('refuses a 50 MB source map (413, 10027) and stores nothing of it', async () => {
    const form = workerForm({ main_module: 'worker.mjs' }, [helloWorker(), { name: 'worker.mjs.map', content: new Uint8Array(50 * 1000 * 1000), type: 'application/source-map' }]);
    assertRefused(await api.put(scriptPath('mapped'), form), 413, 10027, /source maps total 50000000 bytes, over the size limit of 10 MiB/);
    assert.equal((await api.get(scriptPath('mapped'))).status, 404);
  });

  it('counts a data part toward the module limit', async () => {
    const form = workerForm({ main_module: 'worker.mjs' }, [helloWorker(), { name: 'blob.bin', content: new Uint8Array(10 * mib), type: 'application/octet-stream' }]);
    assertRefused(await api.put(scriptPath('heavy'), form), 413, 10027, /modules total \d+ bytes, over the size limit of 10 MiB/);
  });

  it('refuses more than 1,000 parts, however small', async () => {
    const parts = Array.from({ length: 1001 }, (_, index) => ({ name: `m${index}.txt`, content: '', type: 'text/plain' }));
    assertRefused(await api.put(scriptPath('many'), workerForm({ main_module: 'worker.mjs' }, [helloWorker(), ...parts])), 413, 10027, /1002 parts; at most 1000/);
  });

  it('refuses a metadata part over 1 MiB (413) and one nested 200,000 deep (400), never 500', async () => {
    const big = JSON.stringify({ main_module: 'worker.mjs', annotations: { 'workers/message': 'x'.repeat(2 * mib) } });
    assertRefused(await api.put(scriptPath('fat-metadata'), rawMetadataForm(big)), 413, 10021, /"metadata" part is \d+ bytes; at most 1048576 bytes/);
    const deep = `{"main_module":"worker.mjs","bindings":[{"type":"json","name":"J","json":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`;
    assertRefused(await api.put(scriptPath('deep-metadata'), rawMetadataForm(deep)), 400, 10021, /"metadata" part nests arrays and objects more than 64 levels deep/);
  });

  it('refuses SDK-style metadata[...] fields nested past the limit', async () => {
    const form = new FormData();
    form.append('metadata[main_module]', 'worker.mjs');
    form.append(`metadata[bindings][][json]${'[a]'.repeat(100_000)}`, '1');
    form.append('worker.mjs', new File(['export default {}'], 'worker.mjs', { type: 'application/javascript+module' }));
    assertRefused(await api.put(scriptPath('deep-fields'), form), 400, 10021, /more than 64 levels deep/);
  });

  it('bounds a settings patch as it bounds metadata', async () => {
    assert.equal((await uploadScript(api, 'production', 'settled')).status, 200);
    const settings = `${scriptPath('settled')}/settings`;
    const deep = `{"bindings":[{"type":"json","name":"J","json":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`;
    assertRefused(await api.call('PATCH', settings, deep, { 'content-type': 'application/json' }), 400, 10001, /request body nests arrays and objects more than 64 levels deep/);
    const big = JSON.stringify({ bindings: [{ type: 'plain_text', name: 'P', text: 'x'.repeat(2 * mib) }] });
    assertRefused(await api.call('PATCH', settings, big, { 'content-type': 'application/json' }), 413, 10001, /request body is \d+ bytes; at most 1048576/);
    const form = new FormData();
    form.append('settings', new Blob([deep], { type: 'application/json' }));
    assertRefused(await api.call('PATCH', settings, form), 400, 10001, /"settings" part nests arrays and objects more than 64 levels deep/);
  });

  it('refuses annotations over 4 KiB and more than 16 tail consumers, at upload and in settings', async () => {
    const annotations = { 'workers/message': 'x'.repeat(5000) };
    assertRefused(await uploadScript(api, 'production', 'annotated', { annotations }), 400, 10021, /annotations is 5022 bytes as JSON; at most 4096/);
    const consumers = Array.from({ length: 17 }, (_, index) => ({ service: `tail-${index}` }));
    assertRefused(await uploadScript(api, 'production', 'tailed', { tail_consumers: consumers }), 400, 10021, /lists 17 consumers; a script may have at most 16/);
    assertRefused(await api.patch(`${scriptPath('settled')}/settings`, { tail_consumers: consumers }), 400, 10021, /at most 16/);
    const kept = await uploadScript(api, 'production', 'tailed', { tail_consumers: consumers.slice(0, 16), annotations: { 'workers/message': 'ok' } });
    assert.equal(kept.status, 200, JSON.stringify(kept.body.errors));
    assert.equal((await api.get(`${scriptPath('tailed')}/settings`)).body.result.tail_consumers.length, 16);
  });

  it('refuses limits.subrequests above SWITCHYARD_MAX_SUBREQUESTS (default 1000), at upload and in settings', async () => {
    assertRefused(
      await uploadScript(api, 'production', 'chatty', { limits: { subrequests: 1001 } }),
      400,
      10021,
      /limits\.subrequests is 1001; this platform allows at most 1000 subrequests per invocation/,
    );
    assertRefused(await api.patch(`${scriptPath('settled')}/settings`, { limits: { subrequests: 50_000 } }), 400, 10021, /subrequests is 50000; this platform allows at most 1000/);
    const form = new FormData();
    form.append('settings[limits][subrequests]', '2000');
    assertRefused(await api.call('PATCH', `${scriptPath('settled')}/settings`, form), 400, 10021, /subrequests is 2000/);
    const allowed = await api.patch(`${scriptPath('settled')}/settings`, { limits: { cpu_ms: 50, subrequests: 1000 } });
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body.errors));
    assert.deepEqual(allowed.body.result.limits, { cpu_ms: 50, subrequests: 1000 });
  });

  it('leaves other tenants and the attacker\'s own scripts working', async () => {
    const uploaded = await uploadScript(innocent, 'production', 'bystander', {}, [esModule('index.mjs', 'export default { fetch() { return new Response("still here"); } };')]);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
    assert.equal((await visit(platform.ingress, 'settled')).body, 'hello');
  });
});
