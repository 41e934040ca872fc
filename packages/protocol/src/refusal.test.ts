import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  holdSchema,
  invalidationSchema,
  invocationSchema,
  parseJsonMessage,
  ProtocolError,
  refusalBody,
  refusalCodes,
  runnerHeartbeatSchema,
  stoppedMessageSchema,
} from './index.ts';

/** Asserts that `parse` is refused as malformed, with a message naming the message kind (and the field, when given). */
function assertRefused(parse: () => unknown, kind: string, field?: string): ProtocolError {
  let refusal: unknown;
  let parsed: unknown;
  try {
    parsed = parse();
  } catch (error) {
    refusal = error;
  }
  if (refusal === undefined) assert.fail(`a malformed ${kind} was accepted as ${JSON.stringify(parsed)}`);
  assert.ok(refusal instanceof ProtocolError, `expected a ProtocolError, got ${refusal}`);
  assert.equal(refusal.code, refusalCodes.malformedMessage);
  assert.equal(refusal.status, 400);
  assert.ok(refusal.message.includes(`Malformed ${kind}`), `"${refusal.message}" names the ${kind}`);
  if (field) assert.ok(refusal.message.includes(` at ${field}:`), `"${refusal.message}" names the field ${field}`);
  return refusal;
}

// Each kind of message with the name its receiver gives it (dispatcher/src/ingress/admin.ts, dispatcher/src/runner/*, packages/runtime/src/runner-pool.ts).
const heartbeat = (text: string) => parseJsonMessage(runnerHeartbeatSchema, text, 'runner heartbeat');
const invalidation = (text: string) => parseJsonMessage(invalidationSchema, text, 'invalidation');
const stopReport = (text: string) => parseJsonMessage(stoppedMessageSchema, text, 'stop report');
const hold = (text: string) => parseJsonMessage(holdSchema, text, 'hold');
const invocation = (text: string) => parseJsonMessage(invocationSchema, text, 'invocation');

const invocationId = '0123456789abcdef0123';

describe('protocol messages: malformed ones are refused with a coded error', () => {
  it('refuses a heartbeat whose running is not a list, or whose loaded count is negative', () => {
    assertRefused(() => heartbeat('{"running":"x","loaded":-1}'), 'runner heartbeat', 'running');
    assertRefused(() => heartbeat('{"running":["x"],"ended":[],"loaded":1}'), 'runner heartbeat', 'running.0');
    assertRefused(() => heartbeat('{"running":[],"ended":[],"loaded":-1}'), 'runner heartbeat', 'loaded');
    assertRefused(() => heartbeat('{"running":[],"ended":[],"loaded":1.5}'), 'runner heartbeat', 'loaded');
    assertRefused(() => heartbeat('{"running":[],"ended":[]}'), 'runner heartbeat', 'loaded');
  });

  it('refuses an invalidation without an account id', () => {
    assertRefused(() => invalidation('{"namespace":"production","scripts":["a"]}'), 'invalidation', 'accountId');
    assertRefused(() => invalidation('{"accountId":"","namespace":"production","scripts":null}'), 'invalidation', 'accountId');
    assertRefused(() => invalidation('{"accountId":"acc","namespace":"production"}'), 'invalidation', 'scripts');
  });

  it('refuses a stop report with a reason other than cpu or memory', () => {
    assertRefused(() => stopReport(`{"invocationId":"${invocationId}","reason":"boredom"}`), 'stop report', 'reason');
    assertRefused(() => stopReport('{"reason":"cpu"}'), 'stop report', 'invocationId');
  });

  it('refuses a hold whose until is not a number', () => {
    assertRefused(() => hold('{"accountId":"acc","namespace":"production","script":"s","until":"soon"}'), 'hold', 'until');
    assertRefused(() => hold('{"accountId":"acc","namespace":"production","script":"s"}'), 'hold', 'until');
  });

  it('refuses an invocation with a guessable (3-character) id', () => {
    assertRefused(() => invocation('{"id":"abc","accountId":"acc","namespace":"production","script":"s"}'), 'invocation', 'id');
    assertRefused(() => invocation(`{"id":"${invocationId}","accountId":"acc","namespace":"production","script":"s","limits":{"cpuMs":-5}}`), 'invocation', 'limits.cpuMs');
  });

  it('refuses text that is not JSON, and JSON that is not an object, for every kind', () => {
    for (const [parse, kind] of [
      [heartbeat, 'runner heartbeat'],
      [invalidation, 'invalidation'],
      [stopReport, 'stop report'],
      [hold, 'hold'],
      [invocation, 'invocation'],
    ] as const) {
      for (const text of ['not json', '', '{"running":', '<html>']) {
        const refusal = assertRefused(() => parse(text), kind);
        assert.match(refusal.message, /not JSON/);
      }
      for (const text of ['null', '[]', '42', '"text"']) assertRefused(() => parse(text), kind);
    }
  });

  it('answers a refusal in the Cloudflare envelope with its code', () => {
    const refusal = assertRefused(() => hold('{"until":"soon"}'), 'hold');
    assert.deepEqual(refusalBody(refusal), { success: false, errors: [{ code: 20001, message: refusal.message }], messages: [], result: null });
  });
});

describe('protocol messages: well-formed ones parse', () => {
  it('parses each kind, with the defaults an invocation leaves out', () => {
    const entry = { invocationId: 'a', accountId: 'acc', namespace: 'ns', script: 's', limits: { cpuMs: 50 }, startedAt: 1 };
    assert.deepEqual(heartbeat(JSON.stringify({ running: [entry], ended: [], loaded: 3 })), { running: [entry], ended: [], loaded: 3 });
    assert.deepEqual(heartbeat('{"running":[],"ended":[entry],"loaded":0}'.replace('entry', JSON.stringify(entry))), { running: [], ended: [entry], loaded: 0 });
    assert.deepEqual(invalidation('{"accountId":"acc","namespace":"production","scripts":null}'), { accountId: 'acc', namespace: 'production', scripts: null });
    assert.deepEqual(invalidation('{"accountId":"acc","namespace":"production","scripts":["a"]}'), { accountId: 'acc', namespace: 'production', scripts: ['a'] });
    assert.deepEqual(stopReport(`{"invocationId":"${invocationId}","reason":"cpu"}`), { invocationId, reason: 'cpu' });
    assert.deepEqual(stopReport(`{"invocationId":"${invocationId}","reason":"memory"}`), { invocationId, reason: 'memory' });
    assert.deepEqual(hold('{"accountId":"acc","namespace":"production","script":"s","until":1700000000000}'), { accountId: 'acc', namespace: 'production', script: 's', until: 1700000000000 });
    assert.deepEqual(invocation(`{"id":"${invocationId}","accountId":"acc","namespace":"production","script":"s"}`), {
      id: invocationId,
      accountId: 'acc',
      namespace: 'production',
      script: 's',
      limits: {},
      outbound: null,
    });
    assert.deepEqual(invocation(`{"id":"${invocationId}","accountId":"acc","namespace":"production","script":"s","versionId":"v","limits":{"cpuMs":50},"outbound":{"k":1}}`), {
      id: invocationId,
      accountId: 'acc',
      namespace: 'production',
      script: 's',
      versionId: 'v',
      limits: { cpuMs: 50 },
      outbound: { k: 1 },
    });
  });

  it('keeps only the fields the schema names, and an own __proto__ key pollutes nothing', () => {
    const parsed = hold('{"accountId":"acc","namespace":"production","script":"s","until":1,"admin":true,"__proto__":{"polluted":true}}');
    assert.deepEqual(parsed, { accountId: 'acc', namespace: 'production', script: 's', until: 1 });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((parsed as Record<string, unknown>).polluted, undefined);
  });
});
