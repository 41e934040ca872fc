import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Api } from './helpers/api.ts';
import { uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { usePlatform, type RunningPlatform } from './helpers/platform.ts';

/** A workerd process's admin socket and the node's internal secret, read from the config the node wrote for it. */
async function adminOf(configPath: string): Promise<{ admin: string; http: string; secret: string }> {
  const config = await readFile(configPath, 'utf8');
  const socket = (name: string) => `http://${new RegExp(`name = "${name}", address = "([^"]+)"`).exec(config)![1]}`;
  const secret = /\\"internalSecret\\":\\"([A-Za-z0-9_-]+)\\"/.exec(config)![1];
  return { admin: socket('admin'), http: socket('http'), secret };
}

async function refusal(response: Response): Promise<{ status: number; code: number; message: string }> {
  const body = (await response.json()) as { success: boolean; errors: { code: number; message: string }[] };
  assert.equal(body.success, false);
  return { status: response.status, code: body.errors[0].code, message: body.errors[0].message };
}

describe('malformed messages between the node\'s processes are refused with a code, and nothing breaks', () => {
  let platform: RunningPlatform;
  let api: Api;
  usePlatform({}, (started) => ({ platform, api } = started));
  const post = (url: string, secret: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', body, headers: { 'x-switchyard-internal': secret, 'content-type': 'application/json', ...headers } });

  it("refuses malformed admin messages at a runner, which keeps answering its heartbeat", async () => {
    const runner = await adminOf(join(platform.dataDir, 'node', 'run', 'runners', 'runner-0.capnp'));
    assert.deepEqual(await refusal(await post(`${runner.admin}/invalidate`, runner.secret, 'not json')), { status: 400, code: 20001, message: 'Malformed invalidation: not JSON.' });
    const missing = await refusal(await post(`${runner.admin}/invalidate`, runner.secret, JSON.stringify({ namespace: 'production', scripts: null })));
    assert.equal(missing.code, 20001);
    assert.match(missing.message, /^Malformed invalidation at accountId/);
    assert.equal((await post(`${runner.admin}/invalidate`, 'wrong-secret', '{}')).status, 403);
    const beat = await fetch(`${runner.admin}/heartbeat`, { headers: { 'x-switchyard-internal': runner.secret } });
    assert.equal(beat.status, 200);
    assert.ok(Array.isArray(((await beat.json()) as { running: unknown }).running));
  });

  it("refuses a malformed invocation or event at a runner's invoke door", async () => {
    const runner = await adminOf(join(platform.dataDir, 'node', 'run', 'runners', 'runner-0.capnp'));
    const badInvocation = await refusal(await post(runner.http, runner.secret, '', { 'x-switchyard-invocation': JSON.stringify({ id: 'short', accountId: platform.accountId, namespace: 'production', script: 'x' }) }));
    assert.equal(badInvocation.code, 20001);
    assert.match(badInvocation.message, /^Malformed invocation at id/);
    const invocation = JSON.stringify({ id: 'a-long-enough-invocation-id', accountId: platform.accountId, namespace: 'production', script: 'x' });
    const badEvent = await refusal(await post(runner.http, runner.secret, JSON.stringify({ type: 'scheduled', cron: 5 }), { 'x-switchyard-invocation': invocation, 'x-switchyard-event': 'scheduled' }));
    assert.equal(badEvent.code, 20001);
    assert.match(badEvent.message, /^Malformed scheduled event at cron/);
    assert.equal((await post(runner.http, 'wrong-secret', '', { 'x-switchyard-invocation': invocation })).status, 403);
  });

  it('refuses malformed reports at the ingress, which keeps serving', async () => {
    const ingress = await adminOf(join(platform.dataDir, 'node', 'run', 'ingress.capnp'));
    for (const [path, body, kind] of [
      ['/stopped', JSON.stringify({ invocationId: 'x', reason: 'boredom' }), 'stop report at reason'],
      ['/hold', JSON.stringify({ accountId: platform.accountId, namespace: 'production', script: 'x', until: 'soon' }), 'hold at until'],
      ['/runners', JSON.stringify({ ports: [] }), 'runner ports at ports'],
      ['/runners', '{"ports":', 'runner ports: not JSON'],
    ] as const) {
      const refused = await refusal(await post(`${ingress.admin}${path}`, ingress.secret, body));
      assert.equal(refused.status, 400, path);
      assert.equal(refused.code, 20001, path);
      assert.ok(refused.message.startsWith(`Malformed ${kind}`), refused.message);
    }
    assert.equal((await uploadScript(api, 'production', 'still-served')).status, 200);
    const served = await visit(platform.ingress, 'still-served');
    assert.equal(served.status, 200);
    assert.equal(served.body, 'hello');
  });
});
