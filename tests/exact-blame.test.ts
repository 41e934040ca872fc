import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { runnerSlot } from '@switchyard/protocol';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { usePlatform, type RunningPlatform } from './helpers/platform.ts';

/** About 25 ms of CPU on the machines this runs on (a sync loop: workerd's clock stands still inside one). */
const burn = `function burn() { let x = 0; for (let i = 0; i < 1e7; i++) x += Math.sqrt(i); return x; }`;

const good = esModule('index.mjs', `export default { fetch() { return new Response('good'); } };`);
const sleeper = esModule('index.mjs', `export default { async fetch() { await scheduler.wait(400); return new Response('slept'); } };`);
const waitThenSpin = esModule('index.mjs', `export default { async fetch() { await scheduler.wait(50); while (true) {} } };`);
const chunks = esModule('index.mjs', `${burn}\nexport default { async fetch() { for (let i = 0; i < 100; i++) { burn(); await scheduler.wait(5); } return new Response('all chunks done'); } };`);
const streamer = esModule(
  'index.mjs',
  `${burn}
export default { fetch() {
  let sent = 0;
  const body = new ReadableStream({ async pull(controller) {
    // The first chunk comes at once and the next ones after a wait, so the headers are sent before any CPU is burnt.
    if (sent > 0) { await scheduler.wait(5); burn(); }
    controller.enqueue(new TextEncoder().encode('chunk\\n'));
    if (++sent === 100) controller.close();
  } });
  return new Response(body);
} };`,
);
const background = esModule('index.mjs', `export default { fetch(request, env, ctx) { ctx.waitUntil((async () => { await scheduler.wait(20); while (true) {} })()); return new Response('answered'); } };`);
const spinsAtStart = esModule('index.mjs', `while (true) {}\nexport default { fetch() { return new Response('never'); } };`);
const hogsAtStart = esModule('index.mjs', `const keep = []; while (true) keep.push(new Array(1e6).fill(Math.random()));\nexport default { fetch() { return new Response('never'); } };`);

/** A GET through the ingress that reports how much body arrived and whether the response ended cleanly. */
function readStream(ingress: string, script: string): Promise<{ status: number; bytes: number; complete: boolean }> {
  const url = new URL(ingress);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: '/', headers: { host: `${script}.localhost` } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, complete: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes, complete: false }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, bytes, complete: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('exact blame: a strike, a 1102 or a hold lands only on the script that was running', () => {
  let platform: RunningPlatform;
  let api: Api;
  usePlatform({ env: { SWITCHYARD_RUNNER_HEAP_MB: '128' } }, async (started) => {
    ({ platform, api } = started);
  });

  /** What the watchdog said, for an assertion's message. */
  const watchdogLog = () => platform.output().split('\n').filter((line) => /runner-pool|worker_stopped/.test(line)).slice(-20).join('\n');
  const strikesOf = async (script: string) => (await api.get(`/workers/dispatch/namespaces/production/scripts/${script}/strikes`)).body.result;
  /** Strikes are written just after the kill: wait until `script` has `count` of them (or time runs out). */
  const strikesOnceWritten = async (script: string, count: number) => {
    let result = await strikesOf(script);
    for (let i = 0; i < 400 && result.strikes.length < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      result = await strikesOf(script);
    }
    return result;
  };
  /** Two script names of this account that the shared runners' hash puts on the same runner. */
  const namesOnOneRunner = (prefix: string): [string, string] => {
    const slotOf = (name: string) => runnerSlot(platform.accountId, 'production', name, 2);
    const first = `${prefix}-victim`;
    for (let i = 0; ; i++) if (slotOf(`${prefix}-attacker-${i}`) === slotOf(first)) return [first, `${prefix}-attacker-${i}`];
  };

  it('never fires under API load: 20 MB KV bulk writes do not make an idle tenant look stuck', async () => {
    assert.equal((await uploadScript(api, 'production', 'idle-tenant', {}, [sleeper])).status, 200);
    const kv = (await api.post('/storage/kv/namespaces', { title: 'bulk-load' })).body.result.id as string;
    const stoppedBefore = (platform.output().match(/stuck for|died/g) ?? []).length;
    const value = 'v'.repeat(1024 * 1024);
    const writes = Array.from({ length: 3 }, (_, round) =>
      api.put(`/storage/kv/namespaces/${kv}/bulk`, Array.from({ length: 20 }, (_, i) => ({ key: `k${round}-${i}`, value }))),
    );
    const served = await Promise.all(Array.from({ length: 6 }, () => visit(platform.ingress, 'idle-tenant')));
    assert.deepEqual((await Promise.all(writes)).map((write) => write.status), [200, 200, 200]);
    assert.deepEqual(served.map((r) => `${r.status} ${r.body}`), Array(6).fill('200 slept'));
    assert.equal((platform.output().match(/stuck for|died/g) ?? []).length, stoppedBefore, watchdogLog());
    assert.deepEqual((await strikesOf('idle-tenant')).strikes, []);
  });

  it('refuses an upload whose top-level code never finishes, on the check runner, while serving runners serve on', async () => {
    assert.equal((await uploadScript(api, 'production', 'bystander', {}, [good])).status, 200);
    let uploading = true;
    const served: number[] = [];
    const traffic = (async () => {
      while (uploading) served.push((await visit(platform.ingress, 'bystander')).status);
    })();
    const started = Date.now();
    const upload = await uploadScript(api, 'production', 'starts-forever', {}, [spinsAtStart]);
    const elapsed = Date.now() - started;
    uploading = false;
    await traffic;
    assert.equal(upload.status, 400);
    assert.equal(upload.body.errors[0].code, 10021);
    assert.match(upload.body.errors[0].message, /top-level code ran longer than the 1000 ms of CPU time a Worker may use to start/);
    assert.ok(elapsed < 5000, `refused after ${elapsed} ms`);
    assert.ok(served.length > 10, `the bystander was served ${served.length} times during the upload`);
    assert.deepEqual(new Set(served), new Set([200]));
    assert.match(platform.output(), /checker stuck for \d+ ms/);
    assert.doesNotMatch(platform.output(), /runner-\d (stuck|died)/, 'no serving runner was stopped');
    assert.equal((await api.get('/workers/dispatch/namespaces/production/scripts/starts-forever')).status, 404, 'nothing was stored');
  });

  it('refuses an upload whose top-level code allocates without bound, and the next upload is checked as usual', async () => {
    const upload = await uploadScript(api, 'production', 'hogs-at-start', {}, [hogsAtStart]);
    assert.equal(upload.status, 400);
    assert.equal(upload.body.errors[0].code, 10021);
    assert.match(upload.body.errors[0].message, /more memory than a Worker may use/);
    assert.equal((await uploadScript(api, 'production', 'after-hog', {}, [good])).status, 200);
    assert.equal((await visit(platform.ingress, 'after-hog')).body, 'good');
  });

  it('never strikes an idle request that shared a runner with a script that never yields', async () => {
    const [victim, attacker] = namesOnOneRunner('idle');
    assert.equal((await uploadScript(api, 'production', victim, {}, [sleeper])).status, 200);
    assert.equal((await uploadScript(api, 'production', attacker, { limits: { cpu_ms: 50 } }, [waitThenSpin])).status, 200);
    for (let round = 0; round < 3; round++) {
      const victimResponse = visit(platform.ingress, victim);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const attackerResponse = await visit(platform.ingress, attacker);
      assert.equal(attackerResponse.headers['cf-error-code'], '1102', `round ${round}: the attacker is answered 1102`);
      const answered = await victimResponse;
      assert.equal(`${answered.status} ${answered.body}`, '200 slept', `round ${round}: the victim is served`);
    }
    const victimStrikes = await strikesOf(victim);
    assert.deepEqual(victimStrikes.strikes, []);
    assert.equal(victimStrikes.held_until, null);
    const attackerStrikes = await strikesOnceWritten(attacker, 3);
    assert.deepEqual(attackerStrikes.strikes.map((s: { reason: string }) => s.reason), ['cpu', 'cpu', 'cpu'], watchdogLog());
    assert.ok(Date.parse(attackerStrikes.held_until) > Date.now(), 'three strikes hold the attacker back');
  });

  it('counts CPU across awaits: 25 ms chunks under a 50 ms limit are stopped, not served', async () => {
    assert.equal((await uploadScript(api, 'production', 'chunks', { limits: { cpu_ms: 50 } }, [chunks])).status, 200);
    const started = Date.now();
    const response = await visit(platform.ingress, 'chunks');
    const elapsed = Date.now() - started;
    assert.equal(response.headers['cf-error-code'], '1102');
    // 100 chunks take ~3 s of CPU; stopped at 50 ms of CPU plus a heartbeat's worth.
    assert.ok(elapsed < 1000, `stopped after ${elapsed} ms\n${watchdogLog()}`);
    assert.deepEqual((await strikesOnceWritten('chunks', 1)).strikes.map((s: { reason: string }) => s.reason), ['cpu'], watchdogLog());
  });

  it('counts the CPU of a streamed body: a pull() that burns CPU is cut off at the limit', async () => {
    assert.equal((await uploadScript(api, 'production', 'streamer', { limits: { cpu_ms: 50 } }, [streamer])).status, 200);
    const started = Date.now();
    const result = await readStream(platform.ingress, 'streamer');
    const elapsed = Date.now() - started;
    assert.equal(result.status, 200, 'the headers were sent before the body burnt its CPU');
    assert.equal(result.complete, false, 'the body is cut off');
    assert.ok(result.bytes < 100 * 6, `${result.bytes} bytes arrived`);
    assert.ok(elapsed < 1500, `cut off after ${elapsed} ms`);
    assert.deepEqual((await strikesOnceWritten('streamer', 1)).strikes.map((s: { reason: string }) => s.reason), ['cpu'], watchdogLog());
  });

  it('blames waitUntil work on the script that started it, after its response', async () => {
    assert.equal((await uploadScript(api, 'production', 'background', { limits: { cpu_ms: 50 } }, [background])).status, 200);
    const response = await visit(platform.ingress, 'background');
    assert.equal(`${response.status} ${response.body}`, '200 answered');
    const strikes = await strikesOnceWritten('background', 1);
    assert.deepEqual(strikes.strikes.map((s: { reason: string }) => s.reason), ['cpu'], watchdogLog());
    assert.equal((await visit(platform.ingress, 'bystander')).body, 'good');
  });
});

describe('waitUntil work ends 30 s after it began, as on Cloudflare', () => {
  let platform: RunningPlatform;
  let api: Api;
  usePlatform({}, async (started) => {
    ({ platform, api } = started);
  });

  it('stops a background loop at the cap: its count stops growing', async () => {
    const kv = (await api.post('/storage/kv/namespaces', { title: 'background-cap' })).body.result.id as string;
    const ticker = esModule(
      'index.mjs',
      `export default { fetch(request, env, ctx) {
        ctx.waitUntil((async () => { for (let tick = 1; tick <= 60; tick++) { await scheduler.wait(1000); await env.TICKS.put('count', String(tick)); } })());
        return new Response('ticking');
      } };`,
    );
    assert.equal((await uploadScript(api, 'production', 'ticker', { bindings: [{ type: 'kv_namespace', name: 'TICKS', namespace_id: kv }] }, [ticker])).status, 200);
    assert.equal((await visit(platform.ingress, 'ticker')).body, 'ticking');
    const count = async () => Number(await (await api.raw('GET', `/storage/kv/namespaces/${kv}/values/count`)).text());
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const early = await count();
    assert.ok(early >= 5, `the background work runs (${early} ticks after 10 s)`);
    await new Promise((resolve) => setTimeout(resolve, 25_000));
    const atCap = await count();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const after = await count();
    assert.ok(atCap <= 31, `${atCap} ticks at 35 s`);
    assert.equal(after, atCap, 'no tick after the cap');
  });
});
