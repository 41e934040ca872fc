import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { Api, esModule, newAccount, uploadScript } from './helpers/api.ts';
import { startPlatform, usePlatform, type RunningPlatform } from './helpers/platform.ts';

const schedules = (script: string) => `/workers/dispatch/namespaces/production/scripts/${script}/schedules`;

/** Records what its scheduled() handler was given in KV, so a test sees the run from the outside. */
const recorder = esModule(
  'index.mjs',
  `export default {
    fetch() { return new Response('not a cron run'); },
    async scheduled(controller, env) {
      await env.RUNS.put('last', JSON.stringify({ cron: controller.cron, scheduledTime: controller.scheduledTime }));
      console.log('cron ran');
    },
  };`,
);
const thrower = esModule('index.mjs', `export default { scheduled() { console.warn('starting the nightly job'); throw new Error('the nightly job broke'); } };`);
const runaway = esModule('index.mjs', `export default { scheduled() { while (true) {} } };`);

describe('cron triggers of namespace scripts', () => {
  let platform: RunningPlatform;
  let api: Api;
  let kv: string;
  const suite = usePlatform({}, async (started) => {
    ({ platform, api } = started);
    kv = (await api.post('/storage/kv/namespaces', { title: 'cron-runs' })).body.result.id;
    const bindings = [{ type: 'kv_namespace', name: 'RUNS', namespace_id: kv }];
    assert.equal((await uploadScript(api, 'production', 'recorder', { bindings }, [recorder])).status, 200);
    assert.equal((await uploadScript(api, 'production', 'thrower', {}, [thrower])).status, 200);
    assert.equal((await uploadScript(api, 'production', 'runaway', { limits: { cpu_ms: 50 } }, [runaway])).status, 200);
  });

  /** The script's runs, once there are `count` of them (a `* * * * *` trigger fires within a minute). */
  const runsOnceThere = async (script: string, count: number) => {
    for (let waited = 0; waited < 75_000; waited += 500) {
      const runs = (await api.get(`${schedules(script)}/runs`)).body.result as { outcome: string; cron: string; scheduled_time: string; duration_ms: number; error: string | null; output: string[] }[];
      if (runs.length >= count) return runs;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`${script} did not run ${count} time(s) within 75 s`);
  };

  it('refuses expressions it cannot read, saying what to change, and keeps the triggers it had', async () => {
    const bad = await api.put(schedules('recorder'), [{ cron: '61 * * * *' }]);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].code, 10001);
    assert.match(bad.body.errors[0].message, /Invalid cron expression at entry 0: "61 \* \* \* \*": "61" is not a valid minute; use 0-59/);
    assert.equal((await api.put(schedules('recorder'), { cron: '* * * * *' })).status, 400, 'the body is a list');
    assert.match((await api.put(schedules('recorder'), [{ cron: '* * * * *' }, { cron: '*  * * * *' }])).body.errors[0].message, /listed twice/);
    assert.deepEqual((await api.get(schedules('recorder'))).body.result, { schedules: [] });
    assert.equal((await api.put(schedules('nobody'), [{ cron: '* * * * *' }])).status, 404);
  });

  it("sets triggers in Cloudflare's shape, and runs scheduled() with the cron and the time it was due", async () => {
    const set = await api.put(schedules('recorder'), [{ cron: '* * * * *' }]);
    assert.equal(set.status, 200);
    // The next tests' triggers fire in the same minute.
    assert.equal((await api.put(schedules('thrower'), [{ cron: '* * * * *' }])).status, 200);
    assert.equal((await api.put(schedules('runaway'), [{ cron: '* * * * *' }])).status, 200);
    const [schedule] = set.body.result.schedules;
    assert.equal(schedule.cron, '* * * * *');
    assert.ok(Date.parse(schedule.created_on) > 0 && Date.parse(schedule.modified_on) > 0);
    const nextRun = Date.parse(schedule.next_run_on);
    assert.equal(nextRun % 60_000, 0, 'the next firing is on a minute');
    assert.ok(nextRun > Date.now() - 1000 && nextRun <= Date.now() + 60_000);
    assert.deepEqual((await api.get(schedules('recorder'))).body.result.schedules.map((s: { cron: string }) => s.cron), ['* * * * *']);

    const [run] = await runsOnceThere('recorder', 1);
    assert.equal(run.outcome, 'ok', JSON.stringify(run));
    assert.equal(run.cron, '* * * * *');
    assert.equal(Date.parse(run.scheduled_time), nextRun);
    assert.ok(run.duration_ms >= 0);
    assert.deepEqual(run.output, ['cron ran'], 'what the handler printed');
    const seen = await (await api.raw('GET', `/storage/kv/namespaces/${kv}/values/last`)).text();
    assert.deepEqual(JSON.parse(seen), { cron: '* * * * *', scheduledTime: nextRun });
  });

  it('records a scheduled() that throws as an exception, with its message', async () => {
    const [run] = await runsOnceThere('thrower', 1);
    assert.equal(run.outcome, 'exception');
    assert.match(run.error ?? '', /scheduled handler threw an exception/);
    assert.equal(run.output[0], 'warn: starting the nightly job');
    assert.match(run.output[1], /^Uncaught Error: the nightly job broke/, 'what it threw, with its stack');
  });

  it('records a scheduled() that never yields as exceededCpu, stopped at its limit, and strikes its script', async () => {
    const [run] = await runsOnceThere('runaway', 1);
    assert.equal(run.outcome, 'exceededCpu', JSON.stringify(run));
    assert.match(run.error ?? '', /CPU time limit/);
    assert.ok(run.duration_ms < 2000, `stopped after ${run.duration_ms} ms`);
    const strikes = (await api.get('/workers/dispatch/namespaces/production/scripts/runaway/strikes')).body.result.strikes;
    assert.deepEqual(strikes.map((strike: { reason: string }) => strike.reason), ['cpu']);
    // Only one firing a minute: the runaway is not retried.
    assert.equal((await api.get(`${schedules('runaway')}/runs`)).body.result.length, 1);
    await api.put(schedules('runaway'), []);
  });

  it("refuses another account's token on every path, the same as an unknown account", async () => {
    const other = await newAccount(api, platform, 'cron outsider');
    const intruder = new Api(platform, other.token, platform.accountId);
    for (const [method, path, body] of [
      ['GET', schedules('recorder'), undefined],
      ['PUT', schedules('recorder'), [{ cron: '0 0 * * *' }]],
      ['GET', `${schedules('recorder')}/runs`, undefined],
    ] as const) {
      const refused = await intruder.call(method, path, body);
      assert.equal(refused.status, 403, `${method} ${path}`);
      const unknown = await new Api(platform, other.token, 'e'.repeat(32)).call(method, path, body);
      assert.deepEqual([unknown.status, unknown.body.errors], [refused.status, refused.body.errors], 'an unknown account looks the same');
    }
    assert.deepEqual((await api.get(schedules('recorder'))).body.result.schedules.map((s: { cron: string }) => s.cron), ['* * * * *']);
  });

  it('does not make up firings missed while the platform was down: it records them as missed and goes on', async () => {
    await api.put(schedules('recorder'), [{ cron: '*/5 * * * *' }]);
    const before = (await runsOnceThere('recorder', 1)).length;
    await platform.stop();
    // As if the platform had been down for ten minutes: the firing it was waiting for is long past.
    const database = new DatabaseSync(join(platform.dataDir, 'switchyard.db'));
    const due = Date.now() - 10 * 60_000;
    database.prepare(`UPDATE script_schedules SET next_run_at = ? WHERE cron = '*/5 * * * *'`).run(due);
    database.close();
    platform = await startPlatform({ dataDir: platform.dataDir, accountId: platform.accountId, token: platform.token });
    api = new Api(platform);
    suite.follow(platform);
    const runs = await runsOnceThere('recorder', before + 1);
    assert.equal(runs[0].outcome, 'missed');
    assert.equal(Date.parse(runs[0].scheduled_time), due);
    assert.match(runs[0].error ?? '', /not made up/);
    const [schedule] = (await api.get(schedules('recorder'))).body.result.schedules;
    const next = Date.parse(schedule.next_run_on);
    assert.ok(next > Date.now() && next % 300_000 === 0, `it goes on from the next firing after the restart (${schedule.next_run_on})`);
  });
});
