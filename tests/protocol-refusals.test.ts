import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Api, esModule, readEnvelope, uploadScript, type Envelope } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

// The protocol's own parsing (heartbeats, invalidations, stop reports, holds, invocations) is unit-tested in packages/protocol/src/refusal.test.ts.
describe('the internal API refuses malformed messages with a coded error, never a crash', () => {
  const nodeToken = randomBytes(24).toString('base64url');
  let platform: RunningPlatform;
  let api: Api;

  usePlatform({ env: { SWITCHYARD_NODE_TOKEN: nodeToken } }, (started) => ({ platform, api } = started));

  /** A call to the internal API as a node makes it (with the node token); answers the status and the parsed envelope. */
  const internal = async (method: string, path: string, body?: string) => {
    const response = await fetch(`${platform.origin}/internal/v1${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${nodeToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    });
    return { status: response.status, envelope: await readEnvelope<null>(response, `${method} ${path}`) };
  };

  const assertMalformed = async (method: string, path: string, body: string | undefined, message: RegExp) => {
    const { status, envelope } = await internal(method, path, body);
    assert.equal(status, 400, `${method} ${path} ${body ?? ''}: ${JSON.stringify(envelope)}`);
    assert.equal(envelope.success, false);
    assert.equal(envelope.result, null);
    assert.equal(envelope.errors.length, 1);
    assert.equal(envelope.errors[0].code, 20001);
    assert.match(envelope.errors[0].message, message);
  };

  it('refuses a log batch whose versionId is not a string, naming the field', async () => {
    await assertMalformed('POST', '/logs', '{"versionId": 5}', /log batch at versionId/);
    await assertMalformed('POST', '/logs', '{"versionId":"v","entries":[{"at":"now","level":"log","message":"m"}]}', /log batch at entries\.0\.at/);
    await assertMalformed('POST', '/logs', '{"versionId":"v","entries":[{"at":1,"level":"log","message":"m"}' + ',{"at":1,"level":"log","message":"m"}'.repeat(1000) + ']}', /log batch at entries/);
    await assertMalformed('POST', '/logs', '', /log batch: not JSON/);
  });

  it('refuses a strike report with an unknown reason or missing fields', async () => {
    await assertMalformed('POST', '/strikes', '{"reason":"boredom"}', /strike report at /);
    await assertMalformed('POST', '/strikes', `{"accountId":"${platform.accountId}","namespace":"production","script":"s","reason":"boredom"}`, /strike report at reason/);
  });

  it('refuses a warm-up verdict that is not JSON, or that lacks its node', async () => {
    await assertMalformed('POST', '/warm-ups/x', 'this is not JSON {', /warm-up verdict: not JSON/);
    await assertMalformed('POST', '/warm-ups/x', '{"error":null,"startupMs":1}', /warm-up verdict at node/);
    // A well-formed verdict on a job nobody waits for is not a refusal: the job is simply not found.
    const stale = await internal('POST', '/warm-ups/x', '{"node":"n","error":null,"startupMs":1}');
    assert.equal(stale.status, 404);
  });

  it('refuses a change-feed poll from a negative or non-numeric sequence number, or without its node', async () => {
    await assertMalformed('GET', '/changes?after=-3&node=n', undefined, /sequence number/);
    await assertMalformed('GET', '/changes?after=1.5&node=n', undefined, /sequence number/);
    await assertMalformed('GET', '/changes?after=abc&node=n', undefined, /sequence number/);
    await assertMalformed('GET', '/changes?after=0', undefined, /node/);
    await assertMalformed('GET', '/warm-ups', undefined, /node/);
  });

  it('answers an unknown internal route with a 404 envelope, and only to the node token', async () => {
    const { status, envelope } = await internal('POST', '/nothing-here', '{}');
    assert.equal(status, 404);
    assert.equal(envelope.success, false);
    assert.equal(typeof envelope.errors[0].code, 'number');
    const anonymous = await fetch(`${platform.origin}/internal/v1/nothing-here`, { method: 'POST', body: '{}' });
    assert.equal(anonymous.status, 401, 'without the node token, not even which routes exist is told');
    assert.equal(((await anonymous.json()) as Envelope<null>).errors[0].code, 20002);
  });

  // internal-app.ts answers unknown routes with refusalCodes.unknownRoute (20003), but its notFound handler is not used once
  // the app is mounted with app.route() in control-plane/src/app.ts: the REST API's own notFound answers (code 7000).
  it('answers an unknown internal route with the protocol’s unknown-route code (20003)', async () => {
    const { status, envelope } = await internal('POST', '/nothing-here', '{}');
    assert.equal(status, 404);
    assert.equal(envelope.errors[0].code, 20003);
  });

  it('still answers normally afterwards: it is up, an upload works and is served', async () => {
    assert.equal(platform.process.exitCode, null, 'the platform is still running');
    assert.equal((await fetch(`${platform.origin}/healthz`)).status, 200);
    const info = await fetch(`${platform.origin}/internal/v1/platform`, { headers: { authorization: `Bearer ${nodeToken}` } });
    assert.equal(info.status, 200);
    assert.deepEqual(await info.json(), { defaultAccountId: platform.accountId });
    const uploaded = await uploadScript(api, 'production', 'after-refusals', {}, [esModule('worker.mjs', `export default { fetch() { return new Response('still here'); } };`)]);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
    const served = await visit(platform.ingress, 'after-refusals');
    assert.equal(served.status, 200);
    assert.equal(served.body, 'still here');
    assert.doesNotMatch(platform.output(), /\[internal\]/, 'no refusal was logged as an internal error');
  });
});
