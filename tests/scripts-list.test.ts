import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, esModule, helloWorker, uploadScript, workerForm } from './helpers/api.ts';
import { usePlatform } from './helpers/platform.ts';

type ListEntry = { created_on: string; modified_on: string; dispatch_namespace: string; script: { id: string; tags: string[] } };
const idsOf = (entries: ListEntry[]) => entries.map((entry) => entry.script.id);

describe('dispatch namespace scripts: list, delete, content', () => {
  let api: Api;
  const scriptsOf = (namespace: string) => `/workers/dispatch/namespaces/${namespace}/scripts`;
  const newNamespace = async (name: string) => {
    const created = await api.post('/workers/dispatch/namespaces', { name });
    assert.equal(created.status, 200, JSON.stringify(created.body.errors));
    return name;
  };
  const deploy = async (namespace: string, name: string, metadata: Record<string, unknown> = {}) => {
    const uploaded = await uploadScript(api, namespace, name, metadata, [helloWorker(name)]);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
    return uploaded.body.result;
  };

  usePlatform({}, (started) => ({ api } = started));

  describe('list', () => {
    it('pages with page and per_page, sorted by name, with correct result_info', async () => {
      const ns = await newNamespace('list-pages');
      const names = ['gamma', 'alpha', 'eta', 'delta', 'beta', 'zeta', 'epsilon'];
      for (const name of names) await deploy(ns, name);
      const seen: string[] = [];
      for (let page = 1; page <= 3; page++) {
        const response = await api.get(`${scriptsOf(ns)}?per_page=3&page=${page}`);
        assert.equal(response.status, 200);
        assert.equal(response.body.success, true);
        assert.deepEqual(response.body.result_info, { page, per_page: 3, count: page < 3 ? 3 : 1, total_count: 7, total_pages: 3 });
        for (const entry of response.body.result as ListEntry[]) {
          assert.equal(entry.dispatch_namespace, ns);
          assert.equal(typeof entry.created_on, 'string');
          assert.equal(typeof entry.modified_on, 'string');
        }
        seen.push(...idsOf(response.body.result));
      }
      assert.deepEqual(seen, [...names].sort());
      const beyond = await api.get(`${scriptsOf(ns)}?per_page=3&page=4`);
      assert.deepEqual(beyond.body.result, []);
      assert.deepEqual(beyond.body.result_info, { page: 4, per_page: 3, count: 0, total_count: 7, total_pages: 3 });
      const all = await api.get(scriptsOf(ns));
      assert.deepEqual(idsOf(all.body.result), [...names].sort());
      assert.equal(all.body.result_info?.total_count, 7);
      for (const bad of ['page=0', 'per_page=-1', 'page=two']) {
        const response = await api.get(`${scriptsOf(ns)}?${bad}`);
        assert.equal(response.status, 400, bad);
        assert.match(response.body.errors[0].message, /must be a positive integer/, bad);
      }
    });

    it('lists an empty namespace as an empty page', async () => {
      const ns = await newNamespace('list-empty');
      const response = await api.get(scriptsOf(ns));
      assert.equal(response.status, 200);
      assert.deepEqual(response.body.result, []);
      assert.equal(response.body.result_info?.total_count, 0);
    });

    it('filters by tags: ?tags=a:yes and ?tags=a:yes,b:no', async () => {
      const ns = await newNamespace('list-tags');
      await deploy(ns, 'a-only', { tags: ['a'] });
      await deploy(ns, 'a-and-b', { tags: ['a', 'b'] });
      await deploy(ns, 'b-only', { tags: ['b'] });
      await deploy(ns, 'untagged');
      const aYes = await api.get(`${scriptsOf(ns)}?tags=a:yes`);
      assert.equal(aYes.status, 200);
      assert.deepEqual(idsOf(aYes.body.result), ['a-and-b', 'a-only']);
      assert.equal(aYes.body.result_info?.total_count, 2);
      assert.deepEqual(idsOf((await api.get(`${scriptsOf(ns)}?tags=a:yes,b:no`)).body.result), ['a-only']);
      assert.deepEqual(idsOf((await api.get(`${scriptsOf(ns)}?tags=a%3Ano`)).body.result), ['b-only', 'untagged']);
      assert.deepEqual(idsOf((await api.get(`${scriptsOf(ns)}?tags=a:yes,b:yes`)).body.result), ['a-and-b']);
      assert.deepEqual((await api.get(`${scriptsOf(ns)}?tags=nobody:yes`)).body.result, []);
      const bad = await api.get(`${scriptsOf(ns)}?tags=a:maybe`);
      assert.equal(bad.status, 400);
      assert.match(bad.body.errors[0].message, /Invalid tag filter "a:maybe"/);
    });
  });

  describe('delete', () => {
    it('deletes the scripts matching a tag filter and leaves the rest', async () => {
      const ns = await newNamespace('delete-tags');
      for (const [name, tags] of [['c1-a', ['customer-1']], ['c1-b', ['customer-1', 'vip']], ['c2-a', ['customer-2']], ['none', []]] as const) {
        await deploy(ns, name, { tags });
      }
      const deleted = await api.delete(`${scriptsOf(ns)}?tags=customer-1:yes`);
      assert.equal(deleted.status, 200);
      assert.equal(deleted.body.success, true);
      assert.deepEqual(deleted.body.result, { deleted: [{ id: 'c1-a' }, { id: 'c1-b' }], deleted_count: 2, has_more: false });
      assert.deepEqual(idsOf((await api.get(scriptsOf(ns))).body.result), ['c2-a', 'none']);
      assert.equal((await api.get(`${scriptsOf(ns)}/c1-a`)).status, 404);
      assert.equal((await api.get(`/workers/dispatch/namespaces/${ns}`)).body.result.script_count, 2);

      const nothing = await api.delete(`${scriptsOf(ns)}?tags=customer-1%3Ayes`);
      assert.deepEqual(nothing.body.result, { deleted: [], deleted_count: 0, has_more: false });
      const excluded = await api.delete(`${scriptsOf(ns)}?tags=customer-2:no`);
      assert.deepEqual(excluded.body.result, { deleted: [{ id: 'none' }], deleted_count: 1, has_more: false });
      assert.deepEqual(idsOf((await api.get(scriptsOf(ns))).body.result), ['c2-a']);
    });

    it('says has_more when a limit leaves matching scripts behind', async () => {
      const ns = await newNamespace('delete-limit');
      for (const name of ['s1', 's2', 's3']) await deploy(ns, name, { tags: ['batch'] });
      const first = await api.delete(`${scriptsOf(ns)}?tags=batch:yes&limit=2`);
      assert.deepEqual(first.body.result, { deleted: [{ id: 's1' }, { id: 's2' }], deleted_count: 2, has_more: true });
      const second = await api.delete(`${scriptsOf(ns)}?tags=batch:yes&limit=2`);
      assert.deepEqual(second.body.result, { deleted: [{ id: 's3' }], deleted_count: 1, has_more: false });
    });

    it('deletes one script, and answers 404 for one that is not there', async () => {
      const ns = await newNamespace('delete-one');
      await deploy(ns, 'doomed');
      await deploy(ns, 'survivor');
      const deleted = await api.delete(`${scriptsOf(ns)}/doomed`);
      assert.equal(deleted.status, 200);
      assert.equal(deleted.body.success, true);
      assert.equal(deleted.body.result, null);
      assert.equal((await api.get(`${scriptsOf(ns)}/doomed`)).status, 404);
      assert.deepEqual(idsOf((await api.get(scriptsOf(ns))).body.result), ['survivor']);
      const again = await api.delete(`${scriptsOf(ns)}/doomed`);
      assert.equal(again.status, 404);
      assert.equal(again.body.errors[0].code, 10092);
      assert.match(again.body.errors[0].message, /"doomed" was not found/);
      const redeployed = await deploy(ns, 'doomed');
      assert.deepEqual(redeployed.tags, []);
      assert.equal((await api.get(`${scriptsOf(ns)}/doomed/versions`)).body.result.length, 1, 'a re-created script starts a new history');
    });

    it('refuses to delete a script bound as a service by another unless ?force=true', async () => {
      const ns = await newNamespace('delete-service');
      await deploy(ns, 'backend');
      await deploy(ns, 'frontend', { bindings: [{ type: 'service', name: 'API', service: 'backend' }] });
      const refused = await api.delete(`${scriptsOf(ns)}/backend`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.success, false);
      assert.match(refused.body.errors[0].message, /"backend" is bound as a service by "frontend".*force=true/);
      assert.equal((await api.get(`${scriptsOf(ns)}/backend`)).status, 200, 'still there');
      const forced = await api.delete(`${scriptsOf(ns)}/backend?force=true`);
      assert.equal(forced.status, 200);
      assert.equal((await api.get(`${scriptsOf(ns)}/backend`)).status, 404);
      // The dependent itself is not protected by anything.
      assert.equal((await api.delete(`${scriptsOf(ns)}/frontend`)).status, 200);
    });
  });

  describe('content', () => {
    it('returns the modules as multipart/form-data with the entry point in cf-entrypoint', async () => {
      const ns = await newNamespace('content-get');
      const main = `import text from './words.txt'; export default { fetch() { return new Response(text); } };`;
      await uploadScript(api, ns, 'readable', {}, [esModule('main.mjs', main), { name: 'words.txt', content: 'some words', type: 'text/plain' }]);
      const response = await api.raw('GET', `${scriptsOf(ns)}/readable/content`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^multipart\/form-data; boundary=/);
      assert.equal(response.headers.get('cf-entrypoint'), 'main.mjs');
      const form = await new Response(response.body, { headers: response.headers }).formData();
      assert.deepEqual([...form.keys()], ['main.mjs', 'words.txt']);
      const entry = form.get('main.mjs') as File;
      assert.equal(entry.type, 'application/javascript+module');
      assert.equal(await entry.text(), main);
      const words = form.get('words.txt') as File;
      assert.equal(words.type, 'text/plain');
      assert.equal(await words.text(), 'some words');
    });

    it('puts new content as a new version that keeps bindings and settings', async () => {
      const ns = await newNamespace('content-put');
      const first = await uploadScript(
        api,
        ns,
        'rewritten',
        { compatibility_date: '2025-02-02', tags: ['keep-me'], bindings: [{ type: 'plain_text', name: 'GREETING', text: 'hi' }, { type: 'secret_text', name: 'KEY', text: 'content-secret' }] },
        [esModule('old.mjs', `export default { fetch() { return new Response('old'); } };`)],
      );
      assert.equal(first.status, 200, JSON.stringify(first.body.errors));
      const bindingsBefore = (await api.get(`${scriptsOf(ns)}/rewritten/bindings`)).body.result;

      const newSource = `export default { fetch(request, env) { return new Response('new ' + env.GREETING); } };`;
      const put = await api.put(`${scriptsOf(ns)}/rewritten/content`, workerForm({ main_module: 'new.mjs' }, [esModule('new.mjs', newSource)]));
      assert.equal(put.status, 200, JSON.stringify(put.body.errors));
      assert.equal(put.body.success, true);
      assert.notEqual(put.body.result.version_id, first.body.result.version_id);
      assert.notEqual(put.body.result.etag, first.body.result.etag);

      const content = await api.raw('GET', `${scriptsOf(ns)}/rewritten/content`);
      assert.equal(content.headers.get('cf-entrypoint'), 'new.mjs');
      const form = await new Response(content.body, { headers: content.headers }).formData();
      assert.deepEqual([...form.keys()], ['new.mjs']);
      assert.equal(await (form.get('new.mjs') as File).text(), newSource);

      assert.deepEqual((await api.get(`${scriptsOf(ns)}/rewritten/bindings`)).body.result, bindingsBefore);
      const settings = (await api.get(`${scriptsOf(ns)}/rewritten/settings`)).body.result;
      assert.equal(settings.compatibility_date, '2025-02-02');
      assert.deepEqual(settings.tags, ['keep-me']);
      const versions = (await api.get(`${scriptsOf(ns)}/rewritten/versions`)).body.result;
      assert.deepEqual(versions.map((v: { id: string; live: boolean }) => [v.id, v.live]), [[put.body.result.version_id, true], [first.body.result.version_id, false]]);
    });

    it('rejects content for a script that does not exist or whose entry is missing', async () => {
      const ns = await newNamespace('content-bad');
      const missing = await api.put(`${scriptsOf(ns)}/nobody/content`, workerForm({ main_module: 'a.mjs' }, [esModule('a.mjs', 'export default {};')]));
      assert.equal(missing.status, 404);
      assert.equal(missing.body.errors[0].code, 10092);
      await deploy(ns, 'present');
      const wrongEntry = await api.put(`${scriptsOf(ns)}/present/content`, workerForm({ main_module: 'absent.mjs' }, [esModule('a.mjs', 'export default {};')]));
      assert.equal(wrongEntry.status, 400);
      assert.match(wrongEntry.body.errors[0].message, /"absent\.mjs"/);
      assert.equal((await api.get(`${scriptsOf(ns)}/present/versions`)).body.result.length, 1, 'no version was written');
    });
  });
});
