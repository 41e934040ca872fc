import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Cloudflare from 'cloudflare';
import { assetHash } from './helpers/assets.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

const moduleFile = (name: string, source: string) => new File([source], name, { type: 'application/javascript+module' });

describe('the cloudflare SDK against Switchyard, unchanged', () => {
  let platform: RunningPlatform;
  let client: Cloudflare;
  let account_id: string;
  const dispatch_namespace = 'sdk-tenants';

  usePlatform({}, async (started) => {
    platform = started.platform;
    client = new Cloudflare({ apiToken: platform.token, baseURL: platform.apiBase, maxRetries: 0 });
    account_id = platform.accountId;
  });

  it('creates, lists, gets and deletes dispatch namespaces', async () => {
    const created = await client.workersForPlatforms.dispatch.namespaces.create({ account_id, name: dispatch_namespace });
    assert.equal(created.namespace_name, dispatch_namespace);
    const names: string[] = [];
    for await (const namespace of client.workersForPlatforms.dispatch.namespaces.list({ account_id })) names.push(namespace.namespace_name!);
    assert.deepEqual(names.sort(), ['production', dispatch_namespace].sort());
    const got = await client.workersForPlatforms.dispatch.namespaces.get(dispatch_namespace, { account_id });
    assert.equal(got.namespace_id, created.namespace_id);
    await client.workersForPlatforms.dispatch.namespaces.create({ account_id, name: 'short-lived' });
    await client.workersForPlatforms.dispatch.namespaces.delete('short-lived', { account_id });
    await assert.rejects(client.workersForPlatforms.dispatch.namespaces.get('short-lived', { account_id }), (error: unknown) => {
      assert.ok(error instanceof Cloudflare.NotFoundError);
      assert.equal(error.status, 404);
      assert.equal((error.errors[0] as { code: number }).code, 100119);
      return true;
    });
  });

  it('uploads a script with files and bindings, which then serves traffic', async () => {
    const script = await client.workersForPlatforms.dispatch.namespaces.scripts.update('sdk-hello', {
      account_id,
      dispatch_namespace: 'production',
      metadata: {
        main_module: 'worker.mjs',
        compatibility_date: '2025-09-01',
        compatibility_flags: ['nodejs_compat'],
        bindings: [
          { type: 'plain_text', name: 'GREETING', text: 'hello from the SDK' },
          { type: 'secret_text', name: 'TOKEN', text: 'sdk-secret' },
        ],
        tags: ['customer-1', 'sdk'],
      },
      files: [moduleFile('worker.mjs', `import { label } from './lib.mjs'; export default { fetch(request, env) { return new Response(label + env.GREETING + '/' + env.TOKEN); } };`), moduleFile('lib.mjs', `export const label = 'sdk: ';`)],
    });
    assert.equal(script.id, 'sdk-hello');
    assert.deepEqual([...(script as { tags?: string[] }).tags!].sort(), ['customer-1', 'sdk']);
    assert.equal((await visit(platform.ingress, 'sdk-hello')).body, 'sdk: hello from the SDK/sdk-secret');

    const details = await client.workersForPlatforms.dispatch.namespaces.scripts.get('sdk-hello', { account_id, dispatch_namespace: 'production' });
    assert.equal(details.dispatch_namespace, 'production');
    assert.equal(details.script?.id, 'sdk-hello');

    const settings = await client.workersForPlatforms.dispatch.namespaces.scripts.settings.get('sdk-hello', { account_id, dispatch_namespace: 'production' });
    assert.equal(settings.compatibility_date, '2025-09-01');
    assert.deepEqual(settings.compatibility_flags, ['nodejs_compat']);
    assert.equal(JSON.stringify(settings).includes('sdk-secret'), false, 'secret values are never returned');
  });

  it('reads and replaces content, bindings, settings, secrets and tags', async () => {
    const target = { account_id, dispatch_namespace: 'production' };
    const content = await client.workersForPlatforms.dispatch.namespaces.scripts.content.get('sdk-hello', target);
    const form = await new Response(content.body, { headers: content.headers }).formData();
    assert.ok(String(await (form.get('worker.mjs') as File).text()).includes('env.GREETING'));

    await client.workersForPlatforms.dispatch.namespaces.scripts.content.update('sdk-hello', {
      ...target,
      metadata: { main_module: 'next.mjs' },
      files: [moduleFile('next.mjs', `export default { fetch(request, env) { return new Response('content v2 ' + env.GREETING); } };`)],
    });
    assert.equal((await visit(platform.ingress, 'sdk-hello')).body, 'content v2 hello from the SDK');

    const bindings: string[] = [];
    for await (const binding of client.workersForPlatforms.dispatch.namespaces.scripts.bindings.get('sdk-hello', target)) bindings.push(`${binding.type}:${binding.name}`);
    assert.deepEqual(bindings.sort(), ['plain_text:GREETING', 'secret_text:TOKEN']);

    await client.workersForPlatforms.dispatch.namespaces.scripts.secrets.update('sdk-hello', { ...target, name: 'API_KEY', text: 'k1', type: 'secret_text' });
    const secretNames: string[] = [];
    for await (const secret of client.workersForPlatforms.dispatch.namespaces.scripts.secrets.list('sdk-hello', target)) secretNames.push(secret.name!);
    assert.deepEqual(secretNames.sort(), ['API_KEY', 'TOKEN']);
    const secret = await client.workersForPlatforms.dispatch.namespaces.scripts.secrets.get('API_KEY', { ...target, script_name: 'sdk-hello' });
    assert.deepEqual(secret, { name: 'API_KEY', type: 'secret_text' });
    await client.workersForPlatforms.dispatch.namespaces.scripts.secrets.bulkUpdate('sdk-hello', {
      ...target,
      secrets: { API_KEY: null, OTHER: { name: 'OTHER', text: 'o', type: 'secret_text' } },
    });
    await client.workersForPlatforms.dispatch.namespaces.scripts.secrets.delete('OTHER', { ...target, script_name: 'sdk-hello' });
    const remaining: string[] = [];
    for await (const s of client.workersForPlatforms.dispatch.namespaces.scripts.secrets.list('sdk-hello', target)) remaining.push(s.name!);
    assert.deepEqual(remaining, ['TOKEN']);

    const edited = await client.workersForPlatforms.dispatch.namespaces.scripts.settings.edit('sdk-hello', { ...target, settings: { logpush: true, limits: { cpu_ms: 50 } } });
    assert.equal(edited.logpush, true);
    assert.equal(edited.limits?.cpu_ms, 50);

    const tags: string[] = [];
    for await (const tag of client.workersForPlatforms.dispatch.namespaces.scripts.tags.update('sdk-hello', { ...target, body: ['a', 'b', 'c'] })) tags.push(tag);
    assert.deepEqual(tags, ['a', 'b', 'c']);
    await client.workersForPlatforms.dispatch.namespaces.scripts.tags.delete('b', { ...target, script_name: 'sdk-hello' });
    const listed: string[] = [];
    for await (const tag of client.workersForPlatforms.dispatch.namespaces.scripts.tags.list('sdk-hello', target)) listed.push(tag);
    assert.deepEqual(listed, ['a', 'c']);
  });

  it('starts an assets upload session', async () => {
    const html = '<p>sdk asset</p>';
    const session = await client.workersForPlatforms.dispatch.namespaces.scripts.assetUpload.create('sdk-hello', {
      account_id,
      dispatch_namespace: 'production',
      manifest: { '/index.html': { hash: assetHash(html), size: html.length } },
    });
    assert.equal(typeof session.jwt, 'string');
    assert.deepEqual(session.buckets, [[assetHash(html)]]);
  });

  it('deletes scripts, with force when another script binds them', async () => {
    const target = { account_id, dispatch_namespace: 'production' };
    await client.workersForPlatforms.dispatch.namespaces.scripts.update('sdk-backend', { ...target, metadata: { main_module: 'b.mjs' }, files: [moduleFile('b.mjs', `export default { fetch() { return new Response('b'); } };`)] });
    await client.workersForPlatforms.dispatch.namespaces.scripts.update('sdk-front', {
      ...target,
      metadata: { main_module: 'f.mjs', bindings: [{ type: 'service', name: 'B', service: 'sdk-backend' }] },
      files: [moduleFile('f.mjs', `export default { fetch(r, env) { return env.B.fetch(r); } };`)],
    });
    await assert.rejects(client.workersForPlatforms.dispatch.namespaces.scripts.delete('sdk-backend', target), (error: unknown) => {
      assert.ok(error instanceof Cloudflare.ConflictError);
      assert.match(error.message, /sdk-front/);
      return true;
    });
    await client.workersForPlatforms.dispatch.namespaces.scripts.delete('sdk-backend', { ...target, force: true });
    await assert.rejects(client.workersForPlatforms.dispatch.namespaces.scripts.get('sdk-backend', target), Cloudflare.NotFoundError);
  });

  it('rejects bad uploads with an APIError carrying the code and message', async () => {
    await assert.rejects(
      client.workersForPlatforms.dispatch.namespaces.scripts.update('sdk-bad', {
        account_id,
        dispatch_namespace: 'production',
        metadata: { main_module: 'missing.mjs' },
        files: [moduleFile('worker.mjs', 'export default {}')],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Cloudflare.BadRequestError);
        assert.equal((error.errors[0] as { code: number }).code, 10021);
        assert.match(error.message, /missing\.mjs/);
        return true;
      },
    );
    const unauthenticated = new Cloudflare({ apiToken: 'wrong', baseURL: platform.apiBase, maxRetries: 0 });
    await assert.rejects(unauthenticated.workersForPlatforms.dispatch.namespaces.list({ account_id }).then((page) => page.result), Cloudflare.AuthenticationError);
  });

  it('drives Workers KV: namespaces, values with metadata, keys with cursors, bulk writes', async () => {
    const namespace = await client.kv.namespaces.create({ account_id, title: 'sdk-kv' });
    await client.kv.namespaces.values.update('folder/key one', { account_id, namespace_id: namespace.id, value: 'v1', metadata: { owner: 'sdk' } });
    const value = await client.kv.namespaces.values.get('folder/key one', { account_id, namespace_id: namespace.id });
    assert.equal(await value.text(), 'v1');
    assert.deepEqual(await client.kv.namespaces.metadata.get('folder/key one', { account_id, namespace_id: namespace.id }), { owner: 'sdk' });
    await client.kv.namespaces.bulkUpdate(namespace.id, { account_id, body: Array.from({ length: 25 }, (_, i) => ({ key: `bulk-${String(i).padStart(2, '0')}`, value: `${i}` })) });
    const keys: string[] = [];
    for await (const key of client.kv.namespaces.keys.list(namespace.id, { account_id, prefix: 'bulk-', limit: 10 })) keys.push(key.name);
    assert.equal(keys.length, 25);
    assert.equal(new Set(keys).size, 25);
    const titles: string[] = [];
    for await (const ns of client.kv.namespaces.list({ account_id })) titles.push(ns.title);
    assert.ok(titles.includes('sdk-kv'));
  });
});
