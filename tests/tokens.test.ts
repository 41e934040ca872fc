import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Cloudflare from 'cloudflare';
import { startControlPlane, type ControlPlane } from '@switchyard/control-plane';
import { Api, type ApiResponse } from './helpers/api.ts';

interface TokenJson {
  id: string;
  name: string;
  status: 'active' | 'expired' | 'revoked';
  issued_on: string;
  expires_on?: string;
  last_used_on?: string;
  revoked_on: string | null;
  can_create_tokens: boolean;
  admin: boolean;
  parent_id: string | null;
  value?: string;
}

/** A token as its holder uses it: the id the listing shows, and a client presenting its value. */
interface Held {
  id: string;
  value: string;
  api: Api;
}

function assertRefused(response: ApiResponse, status: number, code: number, message?: RegExp) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body.success, false);
  assert.equal(response.body.errors[0].code, code);
  if (message) assert.match(response.body.errors[0].message, message);
}

/** The token API needs no node: the API process alone, on a real libSQL file, over real HTTP. `close` may be called early, once or more. */
function useControlPlane(onStarted: (started: { admin: Api; dataDir: string; adminToken: string; close(): Promise<void> }) => void) {
  let close = async () => {};
  let dataDir = '';
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchyard-tokens-'));
    const adminToken = randomBytes(24).toString('base64url');
    const accountId = randomBytes(16).toString('hex');
    const controlPlane = await startControlPlane({ dataDir, port: 0, host: '127.0.0.1', accountId, apiToken: adminToken, nodeToken: randomBytes(24).toString('base64url') });
    let closing: Promise<void> | undefined;
    close = () => (closing ??= controlPlane.close());
    onStarted({ admin: new Api({ apiBase: `${controlPlane.url}/client/v4`, token: adminToken, accountId }), dataDir, adminToken, close });
  });
  after(async () => {
    await close();
    await rm(dataDir, { recursive: true, force: true });
  });
}

/** Creates a token with `minter`'s client, in the minter's account unless `accountId` says otherwise. */
async function mint(minter: Api, body: Record<string, unknown>, accountId = minter.accountId): Promise<Held> {
  const created = await new Api({ apiBase: minter.base, token: minter.token, accountId }).post<TokenJson>('/tokens', body);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const { id, value } = created.body.result;
  assert.ok(value && value.length >= 40, 'the value is shown at creation');
  return { id, value, api: new Api({ apiBase: minter.base, token: value, accountId }) };
}

const works = async (held: Held) => (await held.api.get('/workers/dispatch/namespaces')).status;

describe('API tokens: minting, listing, revocation and expiry', () => {
  let admin: Api;
  let tenantB: string;

  useControlPlane(({ admin: started }) => (admin = started));
  before(async () => {
    const account = await admin.call('POST', '//accounts', { name: 'tenant b' });
    assert.equal(account.status, 200);
    tenantB = account.body.result.id;
  });

  it('refuses to mint with a leaked plain token, so it cannot make itself permanent', async () => {
    const leaked = await mint(admin, { name: 'ci deploys' });
    assert.equal(await works(leaked), 200);
    for (const body of [{ name: 'persistence' }, { name: 'persistence', can_create_tokens: true }]) {
      assertRefused(await leaked.api.post('/tokens', body), 403, 10000, /may not create tokens: use the administrator token or a token created with "can_create_tokens": true/);
    }
    const seen = await leaked.api.get<TokenJson[]>('/tokens');
    assert.deepEqual(seen.body.result.map((token) => token.id), [leaked.id], 'a plain token sees itself only, and no token was made');
  });

  it('lets a minting token mint children that never exceed it', async () => {
    const expiresOn = new Date(Date.now() + 3600_000).toISOString();
    const minter = await mint(admin, { name: 'tenant onboarding', can_create_tokens: true, expires_on: expiresOn });

    const inheriting = await minter.api.post<TokenJson>('/tokens', { name: 'child, no expiry asked' });
    assert.equal(inheriting.status, 200);
    assert.equal(inheriting.body.result.expires_on, expiresOn, 'a child asking for no expiry expires with its parent');
    assert.equal(inheriting.body.result.can_create_tokens, false);
    assert.equal(inheriting.body.result.parent_id, minter.id);

    const outliving = await minter.api.post('/tokens', { name: 'outliving', expires_on: new Date(Date.now() + 7200_000).toISOString() });
    assertRefused(outliving, 400, 10001, /later than the expiry of the token creating it/);
    assert.deepEqual((outliving.body.errors[0] as { source?: unknown }).source, { pointer: '/expires_on' });

    const plainChild = new Api({ apiBase: admin.base, token: inheriting.body.result.value!, accountId: admin.accountId });
    assertRefused(await plainChild.post('/tokens', { name: 'grandchild' }), 403, 10000);

    const mintingChild = await mint(minter.api, { name: 'delegate', can_create_tokens: true });
    const grandchild = await mint(mintingChild.api, { name: 'grandchild' });
    assert.equal(await works(grandchild), 200);
  });

  it('revokes a token and every token minted under it at once; the rest keep working', async () => {
    const parent = await mint(admin, { name: 'parent', can_create_tokens: true });
    const sibling = await mint(admin, { name: 'sibling' });
    const child = await mint(parent.api, { name: 'child', can_create_tokens: true });
    const grandchild = await mint(child.api, { name: 'grandchild' });
    const cousin = await mint(parent.api, { name: 'cousin' });
    assert.equal(await works(grandchild), 200);

    // A token manages its own subtree only: above and beside it look like no token at all.
    const unknown = await child.api.delete(`/tokens/${randomBytes(16).toString('hex')}`);
    assertRefused(unknown, 404, 7003, /no such token among those this token manages/);
    for (const outside of [parent, sibling, cousin]) {
      const refused = await child.api.delete(`/tokens/${outside.id}`);
      assertRefused(refused, 404, 7003);
      assert.equal(refused.body.errors[0].message, unknown.body.errors[0].message.replace(/tokens\/[0-9a-f]+:/, `tokens/${outside.id}:`));
    }
    assert.equal(await works(parent), 200);

    const revoked = await admin.delete(`/tokens/${parent.id}`);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal(revoked.body.result.id, parent.id);
    assert.deepEqual([...revoked.body.result.revoked].sort(), [parent.id, child.id, grandchild.id, cousin.id].sort());

    for (const gone of [parent, child, grandchild, cousin]) {
      assertRefused(await gone.api.get('/workers/dispatch/namespaces'), 401, 10000, /this API token was revoked on \d{4}-\d\d-\d\dT/);
    }
    assertRefused(await child.api.post('/tokens', { name: 'too late' }), 401, 10000, /revoked/);
    assert.equal(await works(sibling), 200);

    const again = await admin.delete(`/tokens/${parent.id}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.result.revoked, [], 'revoking again is a no-op that says so');
    const listed = (await admin.get<TokenJson[]>('/tokens?per_page=100')).body.result.find((token) => token.id === grandchild.id);
    assert.equal(listed?.status, 'revoked');
    assert.match(listed?.revoked_on ?? '', /^\d{4}-\d\d-\d\dT/);
  });

  it('lets a token revoke itself and what it minted', async () => {
    const holder = await mint(admin, { name: 'self-revoking', can_create_tokens: true });
    const child = await mint(holder.api, { name: 'its child' });
    const revoked = await holder.api.delete(`/tokens/${holder.id}`);
    assert.equal(revoked.status, 200);
    assert.deepEqual([...revoked.body.result.revoked].sort(), [holder.id, child.id].sort());
    assertRefused(await child.api.get('/tokens'), 401, 10000, /revoked/);
  });

  it('refuses a token from its expiry on, and an expiry that is malformed or past', async () => {
    const expiresAt = Date.now() + 1500;
    const shortLived = await mint(admin, { name: 'short-lived', expires_on: new Date(expiresAt).toISOString() });
    assert.equal(await works(shortLived), 200);
    await sleep(expiresAt - Date.now() + 50);
    assertRefused(await shortLived.api.get('/workers/dispatch/namespaces'), 401, 10000, new RegExp(`this API token expired on ${new Date(expiresAt).toISOString()}`));
    const listed = (await admin.get<TokenJson[]>('/tokens?per_page=100')).body.result.find((token) => token.id === shortLived.id);
    assert.equal(listed?.status, 'expired');

    assertRefused(await admin.post('/tokens', { name: 'past', expires_on: new Date(Date.now() - 1000).toISOString() }), 400, 10001, /is not in the future/);
    const malformed = await admin.post('/tokens', { name: 'malformed', expires_on: 'next tuesday' });
    assertRefused(malformed, 400, 10001, /^Invalid token at "expires_on"/);
  });

  it('refuses Cloudflare token fields it cannot honour rather than granting more than asked', async () => {
    const scoped = await admin.post('/tokens', { name: 'scoped', policies: [{ effect: 'allow', permission_groups: [{ id: 'x' }], resources: {} }] });
    assertRefused(scoped, 400, 10001, /do not support "policies"/);
    assertRefused(await admin.post('/tokens', { name: 'ip-bound', condition: { request_ip: { in: ['10.0.0.0/8'] } } }), 400, 10001, /"condition"/);
    assert.equal((await admin.post('/tokens', { name: 'unscoped', policies: [] })).status, 200);
  });

  it('lists tokens page by page, never with their secret', async () => {
    const minted = [await mint(admin, { name: 'list-1' }), await mint(admin, { name: 'list-2' }), await mint(admin, { name: 'list-3' })];
    assert.equal(await works(minted[0]), 200);

    const client = new Cloudflare({ apiToken: admin.token, baseURL: admin.base, maxRetries: 0 });
    const viaSdk: { id?: string; name?: string }[] = [];
    for await (const token of client.accounts.tokens.list({ account_id: admin.accountId, per_page: 2 })) viaSdk.push(token);
    const all = await admin.get<TokenJson[]>('/tokens?per_page=100');
    assert.deepEqual(viaSdk.map((token) => token.id), all.body.result.map((token) => token.id));
    assert.ok(all.body.result.some((token) => token.admin && token.parent_id === null), 'the administrator token is listed to the administrator');

    const page = await admin.get<TokenJson[]>('/tokens?per_page=2&page=2');
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.result_info, { page: 2, per_page: 2, count: 2, total_count: all.body.result.length, total_pages: Math.ceil(all.body.result.length / 2) });

    const text = JSON.stringify(all.body);
    for (const token of minted) assert.ok(!text.includes(token.value), 'no token value in the listing');
    for (const token of all.body.result) assert.deepEqual(Object.keys(token).filter((key) => /value|hash|secret/i.test(key)), []);
    const used = all.body.result.find((token) => token.id === minted[0].id)!;
    assert.match(used.last_used_on ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.equal(all.body.result.find((token) => token.id === minted[1].id)!.last_used_on, undefined);

    await client.accounts.tokens.delete(minted[2].id, { account_id: admin.accountId });
    assertRefused(await minted[2].api.get('/tokens'), 401, 10000, /revoked/);
  });

  it("keeps another account's tokens out of reach, looking the same as an account that does not exist", async () => {
    const tenant = await mint(admin, { name: 'tenant b admin', can_create_tokens: true }, tenantB);
    const inA = await mint(admin, { name: 'lives in account a' });
    const nowhere = 'e'.repeat(32);
    const asTenant = (accountId: string) => new Api({ apiBase: admin.base, token: tenant.value, accountId });

    for (const [method, path] of [
      ['GET', '/tokens'],
      ['POST', '/tokens'],
      ['DELETE', `/tokens/${inA.id}`],
    ] as const) {
      const intoA = await asTenant(admin.accountId).call(method, path, method === 'POST' ? { name: 'x' } : undefined);
      const intoNowhere = await asTenant(nowhere).call(method, path, method === 'POST' ? { name: 'x' } : undefined);
      assertRefused(intoA, 403, 10000);
      assert.equal(intoNowhere.status, intoA.status, `${method} ${path}: an unknown account looks the same as a forbidden one`);
      assert.deepEqual(intoNowhere.body.errors, intoA.body.errors);
    }
    const throughOwnAccount = await tenant.api.delete(`/tokens/${inA.id}`);
    assertRefused(throughOwnAccount, 404, 7003);
    assert.equal(await works(inA), 200);

    const own = await tenant.api.get<TokenJson[]>('/tokens');
    assert.deepEqual(own.body.result.map((token) => token.id), [tenant.id]);
  });
});

describe('a revoked SWITCHYARD_API_TOKEN', () => {
  let dataDir: string;
  let adminToken: string;
  let admin: Api;
  let close: () => Promise<void>;
  useControlPlane((started) => ({ dataDir, adminToken, admin, close } = started));

  it('revokes what it minted in every account, and the API refuses to start with it again', async () => {
    const account = await admin.call('POST', '//accounts', { name: 'minted by a leaked root' });
    const elsewhere = await mint(admin, { name: 'tenant token' }, account.body.result.id);
    const revoked = await admin.delete(`/tokens/${(await admin.get('//user/tokens/verify')).body.result.id}`);
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.result.revoked.length, 2);
    assertRefused(await elsewhere.api.get('/tokens'), 401, 10000, /revoked/);
    assertRefused(await admin.get('/tokens'), 401, 10000, /revoked/);
    await close();

    const restart = (apiToken: string) =>
      startControlPlane({ dataDir, port: 0, host: '127.0.0.1', accountId: admin.accountId, apiToken, nodeToken: randomBytes(24).toString('base64url') });
    await assert.rejects(restart(adminToken), /SWITCHYARD_API_TOKEN was revoked on .*set a new token/);
    const newRoot = randomBytes(24).toString('base64url');
    const restarted = await restart(newRoot);
    try {
      const rotated = new Api({ apiBase: `${restarted.url}/client/v4`, token: newRoot, accountId: admin.accountId });
      assert.equal((await rotated.get('/tokens')).status, 200);
    } finally {
      await restarted.close();
    }
  });
});
