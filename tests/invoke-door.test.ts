import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from '@switchyard/control-plane';
import type { Invocation } from '@switchyard/protocol';
import { startNode, type RunningNode } from '@switchyard/runtime';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { repoRoot } from './helpers/platform.ts';

const eventsWorker = `
export default {
  fetch() { return new Response('ok'); },
  async scheduled(controller, env) {
    await env.KV.put('cron', JSON.stringify({ cron: controller.cron, scheduledTime: controller.scheduledTime }));
  },
  async queue(batch, env) {
    if (batch.messages.some((message) => message.body.explode)) throw new Error('queue handler exploded');
    for (const message of batch.messages) {
      if (message.body.again) message.retry({ delaySeconds: 5 });
      else message.ack();
    }
    await env.KV.put('queue', JSON.stringify({ queue: batch.queue, bodies: batch.messages.map((m) => m.body), attempts: batch.messages.map((m) => m.attempts) }));
  },
};
`;

/** The API and a node in this process, so the test can invoke the node's runners directly, as its scheduler will. */
describe("the runners' invoke door: scheduled, queue and warm-up invocations", () => {
  let dataDir: string;
  let controlPlane: ControlPlane;
  let node: RunningNode;
  let api: Api;
  let kvId: string;
  let eventsVersion: string;
  const accountId = randomBytes(16).toString('hex');
  const invocation = (script: string, extra: Partial<Invocation> = {}): Invocation => ({ id: randomUUID(), accountId, namespace: 'production', script, limits: {}, outbound: null, ...extra });
  const kvValue = async (key: string) => JSON.parse(await (await api.raw('GET', `/storage/kv/namespaces/${kvId}/values/${key}`)).text());

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchyard-invoke-'));
    const token = randomBytes(24).toString('base64url');
    const nodeToken = randomBytes(24).toString('base64url');
    controlPlane = await startControlPlane({ dataDir, port: 0, host: '127.0.0.1', accountId, apiToken: token, nodeToken });
    node = await startNode({
      controlUrl: controlPlane.url,
      nodeToken,
      dir: join(dataDir, 'node'),
      ingress: { host: '127.0.0.1', port: 0 },
      dispatchWorkerConfig: join(repoRoot, 'wrangler.toml'),
      varOverrides: {},
    });
    api = new Api({ apiBase: `${controlPlane.url}/client/v4`, token, accountId });
    kvId = (await api.post('/storage/kv/namespaces', { title: 'invoke-door' })).body.result.id;
    const upload = await uploadScript(api, 'production', 'events', { bindings: [{ type: 'kv_namespace', name: 'KV', namespace_id: kvId }] }, [esModule('worker.mjs', eventsWorker)]);
    assert.equal(upload.status, 200, JSON.stringify(upload.body.errors));
    eventsVersion = upload.body.result.version_id;
  });

  after(async () => {
    await node?.stop();
    await controlPlane?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs a scheduled handler with the cron and scheduled time of the trigger, on the live version', async () => {
    const result = await node.invoke(invocation('events'), { type: 'scheduled', cron: '*/5 * * * *', scheduledTime: 1_800_000_000_000 });
    assert.deepEqual(result, { outcome: 'ok', versionId: eventsVersion, output: [] });
    assert.deepEqual(await kvValue('cron'), { cron: '*/5 * * * *', scheduledTime: 1_800_000_000_000 });
  });

  it('runs a queue handler and reports which messages it acknowledged and which it retries', async () => {
    const messages = [
      { id: 'm-1', timestamp: Date.now(), body: { n: 1 }, attempts: 1 },
      { id: 'm-2', timestamp: Date.now(), body: { again: true }, attempts: 2 },
    ];
    const result = await node.invoke(invocation('events'), { type: 'queue', queue: 'jobs', messages });
    assert.equal(result.outcome, 'ok');
    assert.deepEqual(result.outcome === 'ok' && result.queue, { acked: ['m-1'], retried: [{ id: 'm-2', delaySeconds: 5 }] });
    assert.deepEqual(await kvValue('queue'), { queue: 'jobs', bodies: [{ n: 1 }, { again: true }], attempts: [1, 2] });
  });

  it('reports a handler that throws as an exception with its message, and a script without the handler likewise', async () => {
    const thrown = await node.invoke(invocation('events'), { type: 'queue', queue: 'jobs', messages: [{ id: 'x', timestamp: Date.now(), body: { explode: true }, attempts: 1 }] });
    assert.equal(thrown.outcome, 'exception');
    assert.match(thrown.outcome === 'exception' ? thrown.message : '', /queue handler threw an exception/);

    const plain = await uploadScript(api, 'production', 'fetch-only');
    assert.equal(plain.status, 200);
    const missing = await node.invoke(invocation('fetch-only'), { type: 'scheduled', cron: '* * * * *', scheduledTime: Date.now() });
    assert.equal(missing.outcome, 'exception');
    assert.match(missing.outcome === 'exception' ? missing.message : '', /no scheduled handler/);
  });

  it('answers not-found for a script that does not exist, and for a version of another account', async () => {
    assert.equal((await node.invoke(invocation('nobody-here'), { type: 'scheduled', cron: '* * * * *', scheduledTime: 0 })).outcome, 'not-found');
    const live = (await node.invoke(invocation('events'), { type: 'warm-up' })) as { versionId: string };
    const foreign = await node.invoke(invocation('events', { accountId: randomBytes(16).toString('hex'), versionId: live.versionId }), { type: 'warm-up' });
    assert.equal(foreign.outcome, 'not-found');
  });

  it("runs every account's scripts, each under its own account, with the same script name in both", async () => {
    const other = (await api.call('POST', '//accounts', { name: 'second account' })).body.result.id as string;
    const otherApi = new Api({ apiBase: api.base, token: api.token, accountId: other });
    assert.equal((await otherApi.post('/workers/dispatch/namespaces', { name: 'production' })).status, 200);
    const theirs = await uploadScript(otherApi, 'production', 'events', {}, [esModule('worker.mjs', `export default { async scheduled() {} };`)]);
    assert.equal(theirs.status, 200);
    const run = await node.invoke(invocation('events', { accountId: other }), { type: 'scheduled', cron: '0 * * * *', scheduledTime: 0 });
    assert.deepEqual(run, { outcome: 'ok', versionId: theirs.body.result.version_id, output: [] });
    const mine = await node.invoke(invocation('events'), { type: 'scheduled', cron: '0 * * * *', scheduledTime: 0 });
    assert.deepEqual(mine, { outcome: 'ok', versionId: eventsVersion, output: [] });
  });

  it('warms the live version: loaded once, then already warm', async () => {
    await uploadScript(api, 'production', 'warm-me');
    const first = await node.invoke(invocation('warm-me'), { type: 'warm-up' });
    assert.equal(first.outcome, 'ok');
    assert.equal(first.outcome === 'ok' && first.startupMs, 0, 'the upload itself warmed it on this node');
  });
});
