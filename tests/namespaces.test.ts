import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, newAccount } from './helpers/api.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

describe('dispatch namespaces and accounts', () => {
  let platform: RunningPlatform;
  let api: Api;

  usePlatform({}, (started) => ({ platform, api } = started));

  it('has a "production" namespace after the first start', async () => {
    const { status, body } = await api.get('/workers/dispatch/namespaces/production');
    assert.equal(status, 200);
    assert.equal(body.result.namespace_name, 'production');
    assert.equal(body.result.script_count, 0);
  });

  it('creates, lists, gets, renames, patches and deletes a namespace', async () => {
    const created = await api.post('/workers/dispatch/namespaces', { name: 'customers' });
    assert.equal(created.status, 200);
    assert.equal(created.body.success, true);
    assert.equal(created.body.result.namespace_name, 'customers');
    assert.match(created.body.result.namespace_id, /^[0-9a-f-]{36}$/);
    assert.equal(created.body.result.trusted_workers, false);

    const listed = await api.get('/workers/dispatch/namespaces');
    assert.deepEqual(listed.body.result.map((n: { namespace_name: string }) => n.namespace_name).sort(), ['customers', 'production']);

    const byId = await api.get(`/workers/dispatch/namespaces/${created.body.result.namespace_id}`);
    assert.equal(byId.body.result.namespace_name, 'customers');

    const renamed = await api.put('/workers/dispatch/namespaces/customers', { name: 'tenants' });
    assert.equal(renamed.body.result.namespace_name, 'tenants');
    assert.equal(renamed.body.result.namespace_id, created.body.result.namespace_id);
    assert.equal((await api.get('/workers/dispatch/namespaces/customers')).status, 404);

    const patched = await api.patch('/workers/dispatch/namespaces/tenants', { trusted_workers: true });
    assert.equal(patched.body.result.trusted_workers, true);
    assert.equal(patched.body.result.namespace_name, 'tenants');

    const deleted = await api.delete('/workers/dispatch/namespaces/tenants');
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.success, true);
    const gone = await api.get('/workers/dispatch/namespaces/tenants');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.success, false);
    assert.match(gone.body.errors[0].message, /tenants/);
  });

  it('rejects bad names and duplicates with a clear error', async () => {
    const bad = await api.post('/workers/dispatch/namespaces', { name: 'has spaces!' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.errors[0].message, /Invalid dispatch namespace name/);
    const notJson = await api.call('POST', '/workers/dispatch/namespaces', '{oops', { 'content-type': 'application/json' });
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.errors[0].message, /not valid JSON/);
    await api.post('/workers/dispatch/namespaces', { name: 'twice' });
    const again = await api.post('/workers/dispatch/namespaces', { name: 'twice' });
    assert.equal(again.status, 409);
    assert.match(again.body.errors[0].message, /already exists/);
  });

  it('requires a valid bearer token', async () => {
    const anonymous = await fetch(api.url('/workers/dispatch/namespaces'));
    assert.equal(anonymous.status, 401);
    const body = (await anonymous.json()) as { success: boolean; errors: { code: number }[] };
    assert.equal(body.success, false);
    assert.equal(body.errors[0].code, 10000);
    const wrong = new Api(platform, 'not-a-token');
    assert.equal((await wrong.get('/workers/dispatch/namespaces')).status, 401);
  });

  it('answers 404 for an unknown account and keeps accounts apart', async () => {
    const unknown = new Api(platform, platform.token, 'f'.repeat(32));
    const missing = await unknown.get('/workers/dispatch/namespaces');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errors[0].code, 7003);

    const tenantB = await newAccount(api, platform, 'tenant b');

    await tenantB.post('/workers/dispatch/namespaces', { name: 'b-only' });
    const own = await tenantB.get('/workers/dispatch/namespaces');
    assert.deepEqual(own.body.result.map((n: { namespace_name: string }) => n.namespace_name), ['b-only']);

    const intoA = new Api(platform, tenantB.token, platform.accountId);
    const denied = await intoA.get('/workers/dispatch/namespaces');
    assert.equal(denied.status, 403);
    assert.equal((await intoA.get('/workers/dispatch/namespaces/production')).status, 403);
    const intoNowhere = await new Api(platform, tenantB.token, 'e'.repeat(32)).get('/workers/dispatch/namespaces');
    assert.equal(intoNowhere.status, denied.status, 'an unknown account looks the same as a forbidden one');
    assert.deepEqual(intoNowhere.body.errors, denied.body.errors);
    assert.equal((await api.get('/workers/dispatch/namespaces/b-only')).status, 404);
    const cannotCreate = await tenantB.call('POST', '//accounts', { name: 'sneaky' });
    assert.equal(cannotCreate.status, 403);
  });

  it('answers unknown routes in the envelope', async () => {
    const response = await api.get('/workers/nothing-here');
    assert.equal(response.status, 404);
    assert.equal(response.body.success, false);
    assert.equal(response.body.errors[0].code, 7000);
  });
});
