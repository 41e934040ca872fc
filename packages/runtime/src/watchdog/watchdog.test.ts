import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InFlight } from '@switchyard/protocol';
import { judgeDeath, judgeStall, type Candidate } from './blame.ts';
import { CpuLedger } from './cpu-ledger.ts';
import { soloMs, Suspects } from './suspects.ts';

const entry = (invocationId: string, script: string, startedAt = 0): InFlight => ({ invocationId, accountId: 'acc', namespace: 'ns', script, limits: {}, startedAt });
const candidate = (invocationId: string, script: string, options: Partial<Candidate> = {}): Candidate => ({ ...entry(invocationId, script), cpuMs: 50, started: true, ...options });
const options = { slackMs: 40, defaultCpuMs: 1000 };

describe('blame for a stuck runner', () => {
  it('waits until the lowest limit in flight, plus slack, has passed', () => {
    const held = [candidate('a', 'x', { cpuMs: 50 }), candidate('b', 'y', { cpuMs: 200 })];
    assert.deepEqual(judgeStall(held, 90, options), { action: 'wait' });
    assert.equal(judgeStall(held, 91, options).action, 'kill');
    assert.deepEqual(judgeStall([], 1040, options), { action: 'wait' }, 'nothing in flight: the default limit');
  });

  it('blames the one script in flight, and its invocation the runner had not started yet (queued behind nothing else)', () => {
    const held = [candidate('old', 'x', { startedAt: 1 }), candidate('new', 'x', { startedAt: 2, started: false })];
    const verdict = judgeStall(held, 500, options);
    assert.equal(verdict.action, 'kill');
    assert.equal(verdict.action === 'kill' && verdict.culprit?.invocationId, 'new');
    assert.deepEqual(verdict.action === 'kill' && verdict.others.map((c) => c.invocationId), ['old']);
  });

  it('answers 1102 to an invocation still waiting for its answer rather than one already answered (whose background work may run)', () => {
    const held = [candidate('answered', 'x', { startedAt: 1, started: false, answered: true }), candidate('waiting', 'x', { startedAt: 2, started: true })];
    const verdict = judgeStall(held, 500, options);
    assert.equal(verdict.action === 'kill' && verdict.culprit?.invocationId, 'waiting');
  });

  it('counts an invocation answered since the last heartbeat as in flight: with another script, blame is not exact', () => {
    const verdict = judgeStall([candidate('a', 'background', { answered: true }), candidate('b', 'other')], 500, options);
    assert.equal(verdict.action === 'kill' && verdict.culprit, null);
  });

  it('blames no one when several scripts were in flight, and names each as a suspect', () => {
    const verdict = judgeStall([candidate('a', 'victim'), candidate('b', 'attacker'), candidate('c', 'attacker')], 500, options);
    assert.equal(verdict.action, 'kill');
    assert.equal(verdict.action === 'kill' && verdict.culprit, null);
    assert.deepEqual(verdict.action === 'kill' && verdict.culprit === null && verdict.suspects.map((s) => s.script).sort(), ['attacker', 'victim']);
  });

  it('blames a runner that died on its own only when one script was in flight', () => {
    const alone = judgeDeath([candidate('a', 'hog')]);
    assert.equal(alone.action === 'kill' && alone.culprit?.script, 'hog');
    const several = judgeDeath([candidate('a', 'hog'), candidate('b', 'other')]);
    assert.equal(several.action === 'kill' && several.culprit, null);
  });
});

describe('CPU ledger', () => {
  it('counts exactly when one script ran, and shares evenly (inexact) when several did', () => {
    const ledger = new CpuLedger();
    const a = entry('a', 'x');
    const b = entry('b', 'y');
    ledger.charge([a], 30);
    ledger.charge([a], 30);
    assert.deepEqual(ledger.overLimit(() => 50).map((o) => [o.entry.invocationId, o.usedMs, o.exact]), [['a', 60, true]]);
    ledger.charge([a, b], 20);
    assert.equal(ledger.usedMs('a'), 70);
    assert.equal(ledger.usedMs('b'), 10);
    assert.deepEqual(ledger.overLimit(() => 50).map((o) => o.exact), [false], 'a share counted while another script ran makes the count inexact');
  });

  it('counts an interval against invocations that ended in it, then forgets them', () => {
    const ledger = new CpuLedger();
    const a = entry('a', 'x');
    const b = entry('b', 'y');
    ledger.charge([a], 10);
    ledger.charge([a], 10, [b]);
    assert.equal(ledger.usedMs('a'), 15, 'b ran in the interval too, so a gets half of it');
    assert.equal(ledger.usedMs('b'), 0, 'b ended: nothing left to stop');
    ledger.charge([], 10, [a]);
    assert.equal(ledger.usedMs('a'), 0);
  });

  it('keeps counting across intervals in which nothing was spent', () => {
    const ledger = new CpuLedger();
    const a = entry('a', 'x');
    ledger.charge([a], 40);
    ledger.charge([a], 0);
    ledger.charge([a], 20);
    assert.equal(ledger.usedMs('a'), 60);
  });
});

describe('suspects', () => {
  it('run alone 5 s the first time, doubling each time after, at most 10 minutes', () => {
    assert.deepEqual([1, 2, 3, 4].map(soloMs), [5000, 10_000, 20_000, 40_000]);
    assert.equal(soloMs(20), 600_000);
    const suspects = new Suspects();
    const ref = { accountId: 'acc', namespace: 'ns', script: 's' };
    suspects.mark(ref, 0);
    assert.equal(suspects.has(ref, 4999), true);
    assert.equal(suspects.has(ref, 5000), false);
    suspects.mark(ref, 6000);
    assert.equal(suspects.has(ref, 15_999), true);
    assert.deepEqual(suspects.current(7000), [ref]);
    suspects.release(ref);
    assert.deepEqual(suspects.current(7000), []);
  });

  it('forget a suspicion older than an hour, so the doubling starts over', () => {
    const suspects = new Suspects();
    const ref = { accountId: 'acc', namespace: 'ns', script: 's' };
    suspects.mark(ref, 0);
    suspects.mark(ref, 3_600_001);
    assert.equal(suspects.has(ref, 3_600_001 + 5000), false);
  });
});
