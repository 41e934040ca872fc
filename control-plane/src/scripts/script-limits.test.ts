import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../http/api-error.ts';
import { resolveLimits } from './script-limits.ts';

const maxima = { maxCpuMs: 30_000, maxSubrequests: 1000 };
const refused = (message: RegExp) => (error: unknown) => error instanceof ApiError && error.status === 400 && error.code === 10021 && message.test(error.message);

describe('resolveLimits', () => {
  it('keeps cpu_ms and subrequests up to the platform maxima, and nothing else', () => {
    assert.deepEqual(resolveLimits({ cpu_ms: 30_000, subrequests: 1000, other: 1 }, maxima, true), { cpu_ms: 30_000, subrequests: 1000 });
    assert.deepEqual(resolveLimits({}, maxima, true), {});
  });

  it('refuses subrequests above the maximum, naming it', () => {
    assert.throws(() => resolveLimits({ subrequests: 1001 }, maxima, true), refused(/subrequests is 1001; this platform allows at most 1000 subrequests per invocation/));
    assert.throws(() => resolveLimits({ cpu_ms: 30_001 }, maxima, true), refused(/allows at most 30000 ms/));
  });

  it('does not judge kept limits again against maxima lowered since', () => {
    assert.deepEqual(resolveLimits({ subrequests: 5000 }, maxima, false), { subrequests: 5000 });
  });

  it('refuses values that are not positive whole numbers', () => {
    for (const subrequests of [0, -1, 1.5, '10']) assert.throws(() => resolveLimits({ subrequests }, maxima, true), refused(/subrequests must be a positive whole number/));
    assert.throws(() => resolveLimits([], maxima, true), refused(/limits must be an object/));
  });
});
