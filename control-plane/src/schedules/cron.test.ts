import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronSyntaxError, parseCron } from './cron.ts';

/** The next `count` firings after `from`, as ISO strings. */
function firings(expression: string, from: string, count = 3): string[] {
  const schedule = parseCron(expression);
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < count; i++) {
    const next = schedule.next(at);
    if (!next) break;
    out.push(next.toISOString().replace(':00.000Z', 'Z'));
    at = next;
  }
  return out;
}

describe('cron expressions as Cloudflare reads them', () => {
  it('runs the examples of Cloudflare\'s documentation', () => {
    assert.deepEqual(firings('* * * * *', '2026-11-23T10:00:30Z'), ['2026-11-23T10:01Z', '2026-11-23T10:02Z', '2026-11-23T10:03Z']);
    assert.deepEqual(firings('*/30 * * * *', '2026-11-23T10:00:00Z'), ['2026-11-23T10:30Z', '2026-11-23T11:00Z', '2026-11-23T11:30Z']);
    assert.deepEqual(firings('45 * * * *', '2026-11-23T10:50:00Z', 2), ['2026-11-23T11:45Z', '2026-11-23T12:45Z']);
    // 2026-11-29 is a Sunday.
    assert.deepEqual(firings('0 17 * * sun', '2026-11-23T00:00:00Z', 2), ['2026-11-29T17:00Z', '2026-12-06T17:00Z']);
    assert.deepEqual(firings('0 17 * * 1', '2026-11-23T00:00:00Z', 1), ['2026-11-29T17:00Z'], '1 is Sunday');
    assert.deepEqual(firings('10 7 * * mon-fri', '2026-11-27T08:00:00Z', 2), ['2026-11-30T07:10Z', '2026-12-01T07:10Z'], 'Friday evening to Monday');
    assert.deepEqual(firings('10 7 * * 2-6', '2026-11-27T08:00:00Z', 1), ['2026-11-30T07:10Z']);
    assert.deepEqual(firings('0 15 1 * *', '2026-11-23T00:00:00Z', 2), ['2026-12-01T15:00Z', '2027-01-01T15:00Z']);
    // The last Friday: 2026-11-27, 2026-12-25.
    assert.deepEqual(firings('0 18 * * 6L', '2026-11-01T00:00:00Z', 2), ['2026-11-27T18:00Z', '2026-12-25T18:00Z']);
    assert.deepEqual(firings('0 18 * * friL', '2026-11-01T00:00:00Z', 1), ['2026-11-27T18:00Z']);
    // The last weekday: 2026-11-30 (Monday), 2027-01-29 (Friday; the 31st is a Sunday).
    assert.deepEqual(firings('59 23 LW * *', '2026-11-01T00:00:00Z', 3), ['2026-11-30T23:59Z', '2026-12-31T23:59Z', '2027-01-29T23:59Z']);
  });

  it('reads names in any case, lists, ranges with steps, L, W and #', () => {
    assert.deepEqual(firings('0 0 1 JAN,jul *', '2026-11-23T00:00:00Z', 2), ['2027-01-01T00:00Z', '2027-07-01T00:00Z']);
    assert.deepEqual(firings('5-20/5 9 * * *', '2026-11-23T00:00:00Z', 4), ['2026-11-23T09:05Z', '2026-11-23T09:10Z', '2026-11-23T09:15Z', '2026-11-23T09:20Z']);
    assert.deepEqual(firings('0 0 L * *', '2027-02-01T00:00:00Z', 2), ['2027-02-28T00:00Z', '2027-03-31T00:00Z']);
    assert.deepEqual(firings('0 0 L 2 *', '2027-03-01T00:00:00Z', 1), ['2028-02-29T00:00Z'], 'leap year');
    // 2026-11-15 is a Sunday: the nearest weekday is Monday the 16th; 2027-05-01 is a Saturday: Monday the 3rd, not April.
    assert.deepEqual(firings('0 0 15W * *', '2026-11-01T00:00:00Z', 1), ['2026-11-16T00:00Z']);
    assert.deepEqual(firings('0 0 1W 5 *', '2027-01-01T00:00:00Z', 1), ['2027-05-03T00:00Z']);
    // The second Monday: 2026-12-14, 2027-01-11.
    assert.deepEqual(firings('0 10 * * MON#2', '2026-11-23T00:00:00Z', 2), ['2026-12-14T10:00Z', '2027-01-11T10:00Z']);
    assert.deepEqual(firings('0 10 * * 2#2', '2026-11-23T00:00:00Z', 1), ['2026-12-14T10:00Z']);
  });

  it('fires on a day matching either the day of month or the weekday when both are set', () => {
    // The 1st of the month, or any Sunday.
    assert.deepEqual(firings('0 0 1 * sun', '2026-11-23T00:00:00Z', 3), ['2026-11-29T00:00Z', '2026-12-01T00:00Z', '2026-12-06T00:00Z']);
  });

  it('never fires at the minute given: always strictly after it', () => {
    assert.deepEqual(firings('30 10 * * *', '2026-11-23T10:30:00Z', 1), ['2026-11-24T10:30Z']);
  });

  it('answers null for an expression that never fires', () => {
    assert.equal(parseCron('0 0 31 2 *').next(new Date('2026-01-01T00:00:00Z')), null);
  });

  it('refuses what it cannot read, saying what to change', () => {
    const refusals: [string, RegExp][] = [
      ['* * * *', /has 4 fields; a cron expression has five/],
      ['60 * * * *', /"60" is not a valid minute; use 0-59/],
      ['* 24 * * *', /not a valid hour; use 0-23/],
      ['* * 0 * *', /not a valid day of month; use 1-31/],
      ['* * * 13 *', /not a valid month; use 1-12 or JAN-DEC/],
      ['* * * * 0', /not a valid weekday; use 1-7 \(1 = Sunday\) or SUN-SAT/],
      ['* * * * funday', /not a valid weekday/],
      ['*/0 * * * *', /step "0" in the minute must be a whole number of at least 1/],
      ['30-10 * * * *', /range "30-10" runs backwards/],
      ['* * * * MON#6', /"#6" must be 1-5/],
      ['* * 5L * *', /L and W stand alone/],
      ['* * * * L', /L follows one weekday/],
      ['1,,2 * * * *', /not a valid minute term/],
    ];
    for (const [expression, message] of refusals) {
      assert.throws(() => parseCron(expression), (error: unknown) => error instanceof CronSyntaxError && message.test(error.message), expression);
    }
  });
});
