import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { startPlatform, usePlatform, type RunningPlatform } from './helpers/platform.ts';

const spinner = esModule('index.mjs', `export default { fetch(request) { if (new URL(request.url).pathname === '/spin') { while (true) {} } return new Response('spinner idle'); } };`);
const hog = esModule('index.mjs', `export default { fetch() { const keep = []; while (true) keep.push(new Array(1e6).fill(Math.random())); } };`);
const good = esModule('index.mjs', `export default { fetch() { return new Response('good'); } };`);

describe('CPU and memory limits against hostile tenants', () => {
  let platform: RunningPlatform;
  let api: Api;

  const suite = usePlatform({ env: { SWITCHYARD_RUNNER_HEAP_MB: '128' } }, async (started) => {
    ({ platform, api } = started);
    assert.equal((await uploadScript(api, 'production', 'spinner', { limits: { cpu_ms: 50 } }, [spinner])).status, 200);
    // A CPU limit the allocation loop cannot reach first, even on a loaded machine: this is about memory.
    assert.equal((await uploadScript(api, 'production', 'hog', { limits: { cpu_ms: 20_000 } }, [hog])).status, 200);
    assert.equal((await uploadScript(api, 'production', 'good', {}, [good])).status, 200);
  });

  /** What the watchdog said, for an assertion's message. */
  const watchdogLog = () => platform.output().split('\n').filter((line) => /runner-pool|worker_stopped/.test(line)).slice(-20).join('\n');

  /** A script's strikes, once there is one: a strike is written just after the kill, so it may land a moment after the 1102. */
  const strikesOnceWritten = async (script: string) => {
    let strikes = await api.get(`/workers/dispatch/namespaces/production/scripts/${script}/strikes`);
    for (let i = 0; i < 40 && strikes.body.result.strikes.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      strikes = await api.get(`/workers/dispatch/namespaces/production/scripts/${script}/strikes`);
    }
    return strikes;
  };

  it('answers a script that never yields with 1102 soon after its CPU limit, while other tenants are served', async () => {
    const started = Date.now();
    const spinning = visit(platform.ingress, 'spinner', '/spin');
    const others = await Promise.all(Array.from({ length: 20 }, () => visit(platform.ingress, 'good')));
    const stopped = await spinning;
    const elapsed = Date.now() - started;
    assert.equal(stopped.status, 503);
    assert.equal(stopped.headers['cf-error-code'], '1102', watchdogLog());
    assert.match(stopped.body, /Worker exceeded resource limits/);
    assert.ok(elapsed < 2000, `answered after ${elapsed} ms`);
    assert.deepEqual(others.map((r) => `${r.status} ${r.body}`), Array(20).fill('200 good'));
    assert.equal((await visit(platform.ingress, 'spinner', '/')).body, 'spinner idle', 'the script still serves requests that stay in their limit');
    const strikes = await strikesOnceWritten('spinner');
    assert.deepEqual(strikes.body.result.strikes.map((s: { reason: string }) => s.reason), ['cpu']);
    assert.equal(strikes.body.result.held_until, null);
  });

  it('holds a script back after repeated strikes, with a clear error', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await visit(platform.ingress, 'spinner', '/spin')).headers['cf-error-code'], '1102', watchdogLog());
    // The strike is written, and the hold applied, just after the runner is killed.
    let held = await visit(platform.ingress, 'spinner', '/');
    for (let i = 0; i < 40 && held.status !== 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      held = await visit(platform.ingress, 'spinner', '/');
    }
    assert.equal(held.status, 503);
    assert.match(held.body, /held back/);
    assert.ok(Number(held.headers['retry-after']) > 0);
    const strikes = await api.get('/workers/dispatch/namespaces/production/scripts/spinner/strikes');
    assert.equal(strikes.body.result.strikes.length, 3);
    assert.ok(Date.parse(strikes.body.result.held_until) > Date.now());
    assert.equal((await visit(platform.ingress, 'good')).body, 'good');

    await platform.stop();
    platform = await startPlatform({ dataDir: platform.dataDir, accountId: platform.accountId, token: platform.token, env: { SWITCHYARD_RUNNER_HEAP_MB: '128' } });
    api = new Api(platform);
    suite.follow(platform);
    const stillHeld = await visit(platform.ingress, 'spinner', '/');
    assert.equal(stillHeld.status, 503, 'a restart does not lift the hold');
    assert.match(stillHeld.body, /held back/);
  });

  it('stops a script that allocates without bound, without taking the platform down', async () => {
    const response = await visit(platform.ingress, 'hog');
    assert.equal(response.status, 503);
    assert.equal(response.headers['cf-error-code'], '1102', watchdogLog());
    assert.match(response.body, /more memory/, watchdogLog());
    const strikes = await strikesOnceWritten('hog');
    assert.deepEqual(strikes.body.result.strikes.map((s: { reason: string }) => s.reason), ['memory']);
    const after = await Promise.all(Array.from({ length: 5 }, () => visit(platform.ingress, 'good')));
    assert.deepEqual(after.map((r) => r.status), [200, 200, 200, 200, 200]);
    assert.equal((await api.get('/workers/dispatch/namespaces/production')).status, 200, 'the control plane is unaffected');
  });
});

describe('holds that follow a tenant across script names (SWITCHYARD_TENANT_TAG_PREFIX)', () => {
  let platform: RunningPlatform;
  let api: Api;
  const tagged = (tenant: string) => ({ tags: [`customer:${tenant}`, 'plan:free'], limits: { cpu_ms: 50 } });
  usePlatform({ env: { SWITCHYARD_TENANT_TAG_PREFIX: 'customer:' } }, async (started) => {
    ({ platform, api } = started);
    for (const name of ['evil-1', 'evil-2', 'evil-3']) assert.equal((await uploadScript(api, 'production', name, tagged('evil'), [spinner])).status, 200);
    assert.equal((await uploadScript(api, 'production', 'evil-quiet', tagged('evil'), [good])).status, 200);
    assert.equal((await uploadScript(api, 'production', 'same-plan', tagged('good'), [good])).status, 200);
  });

  it("holds every script of a tenant whose scripts together reach six strikes, and no other tenant's", async () => {
    // Two strikes per script: under the three that hold one script, six for the tenant.
    for (const name of ['evil-1', 'evil-2', 'evil-3']) {
      for (let i = 0; i < 2; i++) assert.equal((await visit(platform.ingress, name, '/spin')).headers['cf-error-code'], '1102');
    }
    let quiet = await visit(platform.ingress, 'evil-quiet');
    for (let i = 0; i < 80 && quiet.status !== 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      quiet = await visit(platform.ingress, 'evil-quiet');
    }
    assert.equal(quiet.status, 503, "the tenant's script that never misbehaved is held with the rest");
    assert.match(quiet.body, /held back/);
    assert.equal((await visit(platform.ingress, 'evil-1', '/')).status, 503);
    assert.equal((await visit(platform.ingress, 'same-plan')).body, 'good', 'a tenant sharing only a non-tenant tag (plan:free) is served');
    const strikes = (await api.get('/workers/dispatch/namespaces/production/scripts/evil-quiet/strikes')).body.result;
    assert.deepEqual(strikes.strikes, []);
    assert.ok(Date.parse(strikes.held_until) > Date.now());
  });
});
