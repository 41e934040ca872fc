import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api } from './helpers/api.ts';
import { removeDataDir, startPlatform, type RunningPlatform } from './helpers/platform.ts';

describe('Workers KV REST API', () => {
  let platform: RunningPlatform;
  let api: Api;
  let id: string;
  const value = (key: string) => `/storage/kv/namespaces/${id}/values/${encodeURIComponent(key)}`;

  before(async () => {
    platform = await startPlatform();
    api = new Api(platform);
    id = (await api.post('/storage/kv/namespaces', { title: 'kv-api' })).body.result.id;
  });
  after(async () => {
    await platform.stop();
    await removeDataDir(platform);
  });

  it('creates, lists, renames and deletes namespaces', async () => {
    const created = await api.post('/storage/kv/namespaces', { title: 'temporary' });
    assert.match(created.body.result.id, /^[0-9a-f]{32}$/);
    assert.equal((await api.post('/storage/kv/namespaces', { title: 'temporary' })).status, 400);
    assert.equal((await api.post('/storage/kv/namespaces', {})).status, 400);
    const listed = await api.get('/storage/kv/namespaces?per_page=1&page=1');
    assert.equal(listed.body.result.length, 1);
    assert.equal(listed.body.result_info?.total_count, 2);
    assert.equal(listed.body.result_info?.total_pages, 2);
    const renamed = await api.put(`/storage/kv/namespaces/${created.body.result.id}`, { title: 'renamed' });
    assert.equal(renamed.body.result.title, 'renamed');
    assert.equal((await api.delete(`/storage/kv/namespaces/${created.body.result.id}`)).status, 200);
    const gone = await api.get(`/storage/kv/namespaces/${created.body.result.id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.errors[0].code, 10013);
  });

  it('stores exact bytes under any key, with metadata and expiration', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    assert.equal((await api.call('PUT', value('a/b c'), bytes)).status, 200);
    assert.deepEqual(new Uint8Array(await (await api.raw('GET', value('a/b c'))).arrayBuffer()), bytes);

    const form = new FormData();
    form.append('value', 'with metadata');
    form.append('metadata', JSON.stringify({ owner: 'me' }));
    assert.equal((await api.call('PUT', `${value('meta')}?expiration_ttl=3600`, form)).status, 200);
    assert.deepEqual((await api.get(`/storage/kv/namespaces/${id}/metadata/meta`)).body.result, { owner: 'me' });
    const read = await api.raw('GET', value('meta'));
    assert.ok(Number(read.headers.get('expiration')) > Date.now() / 1000 + 3500);

    assert.equal((await api.call('PUT', `${value('short')}?expiration_ttl=10`, 'x')).status, 400);
    assert.equal((await api.call('PUT', `${value('past')}?expiration=1000`, 'x')).status, 400);
    assert.equal((await api.call('PUT', value('k'.repeat(513)), 'x')).status, 400);
    const bigMeta = new FormData();
    bigMeta.append('value', 'x');
    bigMeta.append('metadata', JSON.stringify({ pad: 'p'.repeat(1100) }));
    assert.equal((await api.call('PUT', value('bigmeta'), bigMeta)).status, 400);
    const tooBig = await api.call('PUT', value('huge'), new Uint8Array(25 * 1024 * 1024 + 1));
    assert.equal(tooBig.status, 413);

    assert.equal((await api.delete(value('a/b c'))).status, 200);
    const missing = await api.raw('GET', value('a/b c'));
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { errors: { code: number }[] }).errors[0].code, 10009);
  });

  it('lists keys in order with prefix, limit and cursor', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `list/${String(i).padStart(2, '0')}`);
    const bulk = await api.put(`/storage/kv/namespaces/${id}/bulk`, keys.map((key) => ({ key, value: Buffer.from(key).toString('base64'), base64: true, metadata: { key } })));
    assert.deepEqual(bulk.body.result, { successful_key_count: 25, unsuccessful_keys: [] });
    const seen: string[] = [];
    let cursor = '';
    do {
      const page = await api.get(`/storage/kv/namespaces/${id}/keys?prefix=list/&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      seen.push(...page.body.result.map((k: { name: string }) => k.name));
      assert.deepEqual(page.body.result[0].metadata, { key: page.body.result[0].name });
      cursor = String(page.body.result_info?.cursor ?? "");
    } while (cursor);
    assert.deepEqual(seen, keys);
    assert.equal(await (await api.raw('GET', value('list/07'))).text(), 'list/07');
    assert.equal((await api.get(`/storage/kv/namespaces/${id}/keys?limit=5000`)).status, 400);
    assert.equal((await api.get(`/storage/kv/namespaces/${id}/keys?cursor=not-a-cursor!`)).status, 400);
  });

  it('reads and deletes in bulk', async () => {
    await api.put(`/storage/kv/namespaces/${id}/bulk`, [{ key: 'j1', value: '{"n":1}' }, { key: 'j2', value: '{"n":2}', metadata: { m: true } }]);
    const json = await api.post(`/storage/kv/namespaces/${id}/bulk/get`, { keys: ['j1', 'j2', 'nope'], type: 'json' });
    assert.deepEqual(json.body.result.values, { j1: { n: 1 }, j2: { n: 2 }, nope: null });
    const withMeta = await api.post(`/storage/kv/namespaces/${id}/bulk/get`, { keys: ['j2'], withMetadata: true });
    assert.deepEqual(withMeta.body.result.values, { j2: { value: '{"n":2}', metadata: { m: true } } });
    assert.equal((await api.delete(`/storage/kv/namespaces/${id}/bulk`, ['j1'])).status, 200);
    assert.equal((await api.post(`/storage/kv/namespaces/${id}/bulk/delete`, ['j2'])).status, 200);
    assert.equal((await api.raw('GET', value('j1'))).status, 404);
    assert.equal((await api.raw('GET', value('j2'))).status, 404);
    assert.equal((await api.put(`/storage/kv/namespaces/${id}/bulk`, { not: 'an array' })).status, 400);
  });

  it("keeps one account's KV namespaces from another account's tokens", async () => {
    const other = await api.call('POST', '//accounts', { name: 'kv neighbour' });
    const issued = await new Api(platform, platform.token, other.body.result.id).post('/tokens', { name: 'neighbour' });
    const neighbour = new Api(platform, issued.body.result.value, other.body.result.id);
    const intoMine = new Api(platform, issued.body.result.value, platform.accountId);
    assert.equal((await intoMine.get(`/storage/kv/namespaces/${id}`)).status, 403);
    const underTheirs = await neighbour.get(`/storage/kv/namespaces/${id}`);
    assert.equal(underTheirs.status, 404);
    assert.equal(underTheirs.body.errors[0].code, 10013);
    assert.equal((await neighbour.raw('GET', `/storage/kv/namespaces/${id}/values/meta`)).status, 404);
  });
});
