import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, helloWorker, uploadScript } from './helpers/api.ts';
import { usePlatform } from './helpers/platform.ts';

type Binding = { name: string; type: string } & Record<string, unknown>;
const byName = (bindings: Binding[]) => [...bindings].sort((a, b) => a.name.localeCompare(b.name));

describe('dispatch namespace scripts: bindings, secrets, settings, tags', () => {
  let api: Api;
  const scriptsOf = (namespace: string) => `/workers/dispatch/namespaces/${namespace}/scripts`;
  /** A fresh namespace holding one script `name`, uploaded with `metadata`; answers the script's path. */
  const scriptWith = async (namespace: string, name: string, metadata: Record<string, unknown> = {}) => {
    const created = await api.post('/workers/dispatch/namespaces', { name: namespace });
    assert.equal(created.status, 200, JSON.stringify(created.body.errors));
    const uploaded = await uploadScript(api, namespace, name, metadata, [helloWorker(name)]);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
    return `${scriptsOf(namespace)}/${name}`;
  };
  const versionCount = async (path: string) => (await api.get(`${path}/versions`)).body.result.length as number;

  usePlatform({}, (started) => ({ api } = started));

  describe('bindings and secret confidentiality', () => {
    it('never shows a secret value in bindings, settings, details, list, versions or secrets', async () => {
      const path = await scriptWith('secret-leaks', 'vault', {
        bindings: [
          { type: 'secret_text', name: 'FROM_UPLOAD', text: 'leak-check-upload' },
          { type: 'plain_text', name: 'VISIBLE', text: 'shown' },
        ],
      });
      const put = await api.put(`${path}/secrets`, { name: 'FROM_API', text: 'leak-check-api', type: 'secret_text' });
      assert.equal(put.status, 200);
      assert.ok(!JSON.stringify(put.body).includes('leak-check'));
      const bindings = await api.get(`${path}/bindings`);
      assert.deepEqual(byName(bindings.body.result), [
        { type: 'secret_text', name: 'FROM_API' },
        { type: 'secret_text', name: 'FROM_UPLOAD' },
        { type: 'plain_text', name: 'VISIBLE', text: 'shown' },
      ]);
      for (const suffix of ['', '/bindings', '/settings', '/versions', '/secrets', '/secrets/FROM_API', '/secrets/FROM_UPLOAD', '/tags']) {
        const response = await api.get(`${path}${suffix}`);
        assert.equal(response.status, 200, suffix);
        assert.ok(!JSON.stringify(response.body).includes('leak-check'), `GET ${suffix || '(details)'} shows a secret value`);
      }
      const list = await api.get(scriptsOf('secret-leaks'));
      assert.ok(!JSON.stringify(list.body).includes('leak-check'), 'the script list shows a secret value');
      const content = await api.raw('GET', `${path}/content`);
      assert.ok(!(await content.text()).includes('leak-check'), 'the content shows a secret value');
    });
  });

  describe('secrets', () => {
    it('puts, lists, gets and deletes secrets, each change a new version', async () => {
      const path = await scriptWith('secrets-crud', 'holder', { bindings: [{ type: 'plain_text', name: 'PLAIN', text: 'p' }] });
      const put = await api.put(`${path}/secrets`, { name: 'API_KEY', text: 'secret-one', type: 'secret_text' });
      assert.equal(put.status, 200, JSON.stringify(put.body.errors));
      assert.equal(put.body.success, true);
      assert.deepEqual(put.body.result, { name: 'API_KEY', type: 'secret_text' });
      assert.equal((await api.put(`${path}/secrets`, { name: 'OTHER', text: 'secret-two', type: 'secret_text' })).status, 200);
      assert.equal(await versionCount(path), 3);

      const list = await api.get(`${path}/secrets`);
      assert.equal(list.status, 200);
      assert.deepEqual(byName(list.body.result), [{ name: 'API_KEY', type: 'secret_text' }, { name: 'OTHER', type: 'secret_text' }]);
      const one = await api.get(`${path}/secrets/API_KEY`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.body.result, { name: 'API_KEY', type: 'secret_text' });

      const replaced = await api.put(`${path}/secrets`, { name: 'API_KEY', text: 'secret-rotated', type: 'secret_text' });
      assert.equal(replaced.status, 200);
      assert.equal((await api.get(`${path}/secrets`)).body.result.length, 2, 'replacing a secret does not add one');

      const deleted = await api.delete(`${path}/secrets/API_KEY`);
      assert.equal(deleted.status, 200);
      assert.equal(deleted.body.success, true);
      assert.deepEqual((await api.get(`${path}/secrets`)).body.result, [{ name: 'OTHER', type: 'secret_text' }]);
      assert.deepEqual(byName((await api.get(`${path}/bindings`)).body.result), [
        { type: 'secret_text', name: 'OTHER' },
        { type: 'plain_text', name: 'PLAIN', text: 'p' },
      ]);
    });

    it('answers 404 for an unknown secret, and for a plain_text binding asked for as a secret', async () => {
      const path = await scriptWith('secrets-missing', 'holder', { bindings: [{ type: 'plain_text', name: 'PLAIN', text: 'p' }] });
      for (const [method, name] of [['GET', 'NOPE'], ['DELETE', 'NOPE'], ['GET', 'PLAIN'], ['DELETE', 'PLAIN']]) {
        const response = await api.call(method, `${path}/secrets/${name}`);
        assert.equal(response.status, 404, `${method} ${name}`);
        assert.equal(response.body.success, false);
        assert.match(response.body.errors[0].message, new RegExp(`no secret named "${name}"`));
      }
      assert.equal((await api.get(`${scriptsOf('secrets-missing')}/ghost/secrets`)).status, 404);
      assert.equal((await api.put(`${scriptsOf('secrets-missing')}/ghost/secrets`, { name: 'A', text: 'b', type: 'secret_text' })).status, 404);
    });

    it('will not let a secret take the name of a plain_text binding, and rejects bad secret bodies', async () => {
      const path = await scriptWith('secrets-clash', 'holder', { bindings: [{ type: 'plain_text', name: 'PLAIN', text: 'p' }] });
      const clash = await api.put(`${path}/secrets`, { name: 'PLAIN', text: 'x', type: 'secret_text' });
      assert.equal(clash.status, 400);
      assert.equal(clash.body.success, false);
      assert.match(clash.body.errors[0].message, /"PLAIN" already exists with type plain_text/);
      assert.deepEqual((await api.get(`${path}/bindings`)).body.result, [{ type: 'plain_text', name: 'PLAIN', text: 'p' }]);
      const noText = await api.put(`${path}/secrets`, { name: 'NO_TEXT', type: 'secret_text' });
      assert.equal(noText.status, 400);
      assert.match(noText.body.errors[0].message, /text/);
      const wrongType = await api.put(`${path}/secrets`, { name: 'T', text: 'x', type: 'plain_text' });
      assert.equal(wrongType.status, 400);
      assert.match(wrongType.body.errors[0].message, /type/);
      assert.equal(await versionCount(path), 1, 'no rejected request wrote a version');
    });
  });

  describe('settings', () => {
    it('answers the settings object', async () => {
      const path = await scriptWith('settings-get', 'configured', {
        compatibility_date: '2025-03-03',
        compatibility_flags: ['nodejs_compat'],
        tags: ['t'],
        bindings: [{ type: 'plain_text', name: 'A', text: 'a' }],
      });
      const settings = await api.get(`${path}/settings`);
      assert.equal(settings.status, 200);
      assert.equal(settings.body.success, true);
      assert.deepEqual(settings.body.result, {
        bindings: [{ type: 'plain_text', name: 'A', text: 'a' }],
        compatibility_date: '2025-03-03',
        compatibility_flags: ['nodejs_compat'],
        limits: {},
        logpush: false,
        migrations: null,
        observability: null,
        placement: {},
        tags: ['t'],
        tail_consumers: [],
        usage_model: 'standard',
      });
    });

    it('patches from a multipart "settings" part', async () => {
      const path = await scriptWith('settings-multipart', 'patched', { compatibility_date: '2024-01-01', bindings: [{ type: 'plain_text', name: 'A', text: 'a' }] });
      const form = new FormData();
      form.append('settings', new Blob([JSON.stringify({ compatibility_date: '2025-04-04', logpush: true, limits: { cpu_ms: 50 } })], { type: 'application/json' }));
      const patched = await api.patch(`${path}/settings`, form);
      assert.equal(patched.status, 200, JSON.stringify(patched.body.errors));
      assert.equal(patched.body.result.compatibility_date, '2025-04-04');
      assert.equal(patched.body.result.logpush, true);
      assert.deepEqual(patched.body.result.limits, { cpu_ms: 50 });
      assert.deepEqual(patched.body.result.bindings, [{ type: 'plain_text', name: 'A', text: 'a' }], 'bindings not named are left alone');
      const again = (await api.get(`${path}/settings`)).body.result;
      assert.equal(again.compatibility_date, '2025-04-04');
      assert.equal(again.logpush, true);
      assert.deepEqual(again.limits, { cpu_ms: 50 });
      assert.equal(await versionCount(path), 2);
      assert.equal((await api.get(path)).body.result.script.logpush, true);

      const noPart = new FormData();
      noPart.append('other', 'x');
      const missing = await api.patch(`${path}/settings`, noPart);
      assert.equal(missing.status, 400);
      assert.match(missing.body.errors[0].message, /"settings" part/);
    });

    it('patches from a JSON body: tags, limits and bindings, keeping secrets not listed', async () => {
      const path = await scriptWith('settings-json', 'patched', {
        bindings: [
          { type: 'plain_text', name: 'PLAIN', text: 'before' },
          { type: 'secret_text', name: 'KEPT', text: 'kept-value' },
          { type: 'secret_text', name: 'LISTED', text: 'listed-value' },
        ],
      });
      const patched = await api.patch(`${path}/settings`, {
        tags: ['json-tag', 'another', 'json-tag'],
        limits: { cpu_ms: 25 },
        bindings: [
          { type: 'plain_text', name: 'PLAIN', text: 'after' },
          { type: 'secret_text', name: 'LISTED' },
          { type: 'json', name: 'ADDED', json: { ok: true } },
        ],
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body.errors));
      assert.deepEqual(patched.body.result.tags, ['another', 'json-tag'], 'tags as stored: sorted, without repeats');
      assert.deepEqual(patched.body.result.limits, { cpu_ms: 25 });
      assert.deepEqual(byName(patched.body.result.bindings), [
        { type: 'json', name: 'ADDED', json: { ok: true } },
        { type: 'secret_text', name: 'KEPT' },
        { type: 'secret_text', name: 'LISTED' },
        { type: 'plain_text', name: 'PLAIN', text: 'after' },
      ]);
      assert.deepEqual((await api.get(`${path}/tags`)).body.result, ['another', 'json-tag']);
      assert.deepEqual(byName((await api.get(`${path}/secrets`)).body.result), [{ name: 'KEPT', type: 'secret_text' }, { name: 'LISTED', type: 'secret_text' }]);
      assert.ok(!JSON.stringify(patched.body).includes('-value'));
    });

    it('rejects bad settings without writing a version', async () => {
      const path = await scriptWith('settings-bad', 'patched');
      const cases: [string, unknown, RegExp][] = [
        ['compatibility date', { compatibility_date: 'soon' }, /compatibility_date must be a date written YYYY-MM-DD/],
        ['cpu_ms', { limits: { cpu_ms: 0 } }, /cpu_ms must be a positive whole number/],
        ['cpu_ms over the maximum', { limits: { cpu_ms: 1e9 } }, /cpu_ms is 1000000000 ms; this platform allows at most 30000 ms/],
        ['tags', { tags: Array.from({ length: 9 }, (_, i) => `t${i}`) }, /at most 8 tags/],
        ['binding type', { bindings: [{ type: 'queue', name: 'Q' }] }, /unknown type "queue"/],
        ['service binding to a missing script', { bindings: [{ type: 'service', name: 'GHOST', service: 'nowhere' }] }, /service binding 'GHOST'\. Target script 'nowhere' not found/],
        ['subrequests over the maximum', { limits: { subrequests: 1001 } }, /subrequests is 1001; this platform allows at most 1000 subrequests/],
        ['not an object', ['compatibility_date'], /must be a JSON object/],
      ];
      for (const [label, body, message] of cases) {
        const response = await api.patch(`${path}/settings`, body);
        assert.equal(response.status, 400, label);
        assert.equal(response.body.success, false, label);
        assert.match(response.body.errors[0].message, message, label);
      }
      const notJson = await api.call('PATCH', `${path}/settings`, '{"logpush":', { 'content-type': 'application/json' });
      assert.equal(notJson.status, 400);
      assert.match(notJson.body.errors[0].message, /not valid JSON/);
      assert.equal(await versionCount(path), 1);
      assert.equal((await api.patch(`${scriptsOf('settings-bad')}/ghost/settings`, { logpush: true })).status, 404);
    });
  });

  describe('tags', () => {
    it('puts all tags, gets them, puts one, deletes one', async () => {
      const path = await scriptWith('tags-crud', 'tagged', { tags: ['old'] });
      const all = await api.put(`${path}/tags`, ['zeta', 'alpha']);
      assert.equal(all.status, 200);
      assert.equal(all.body.success, true);
      assert.deepEqual(all.body.result, ['alpha', 'zeta']);
      assert.deepEqual((await api.get(`${path}/tags`)).body.result, ['alpha', 'zeta'], 'putting all tags replaces the old ones');

      const one = await api.put(`${path}/tags/middle`);
      assert.equal(one.status, 200);
      assert.equal(one.body.success, true);
      assert.equal((await api.put(`${path}/tags/middle`)).status, 200, 'putting a tag twice is harmless');
      assert.deepEqual((await api.get(`${path}/tags`)).body.result, ['alpha', 'middle', 'zeta']);

      const removed = await api.delete(`${path}/tags/alpha`);
      assert.equal(removed.status, 200);
      assert.equal(removed.body.success, true);
      assert.deepEqual((await api.get(`${path}/tags`)).body.result, ['middle', 'zeta']);
      assert.deepEqual((await api.get(path)).body.result.script.tags, ['middle', 'zeta']);
      assert.deepEqual((await api.get(`${path}/settings`)).body.result.tags, ['middle', 'zeta']);
      assert.deepEqual((await api.get(`${scriptsOf('tags-crud')}?tags=middle:yes`)).body.result.map((e: { script: { id: string } }) => e.script.id), ['tagged']);

      assert.deepEqual((await api.put(`${path}/tags`, [])).body.result, []);
      assert.deepEqual((await api.get(`${path}/tags`)).body.result, []);
    });

    it('rejects a 9th tag, one at a time or all at once', async () => {
      const path = await scriptWith('tags-limit', 'tagged');
      const eight = Array.from({ length: 8 }, (_, i) => `tag-${i}`);
      assert.equal((await api.put(`${path}/tags`, eight)).status, 200);
      const ninth = await api.put(`${path}/tags/tag-8`);
      assert.equal(ninth.status, 400);
      assert.equal(ninth.body.success, false);
      assert.match(ninth.body.errors[0].message, /already has 8 tags/);
      assert.equal((await api.put(`${path}/tags/tag-0`)).status, 200, 'an existing tag is not a 9th');
      const nine = await api.put(`${path}/tags`, [...eight, 'tag-8']);
      assert.equal(nine.status, 400);
      assert.match(nine.body.errors[0].message, /at most 8 tags; 9 were given/);
      assert.deepEqual((await api.get(`${path}/tags`)).body.result, eight);
      const notArray = await api.put(`${path}/tags`, { tags: ['a'] });
      assert.equal(notArray.status, 400);
      assert.match(notArray.body.errors[0].message, /JSON array/);
      const withComma = await api.put(`${path}/tags`, ['a,b']);
      assert.equal(withComma.status, 400);
      assert.match(withComma.body.errors[0].message, /Invalid tag "a,b"/);
      assert.equal((await api.get(`${scriptsOf('tags-limit')}/ghost/tags`)).status, 404);
    });
  });
});
