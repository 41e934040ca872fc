import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './api-error.ts';
import { jsonNestingDepth, parseJsonWithin } from './json-limits.ts';

const refusal = (status: number, code: number, message: RegExp) => (error: unknown) =>
  error instanceof ApiError && error.status === status && error.code === code && message.test(error.message);

describe('jsonNestingDepth', () => {
  it('counts nested arrays and objects, not brackets inside strings', () => {
    assert.equal(jsonNestingDepth('1'), 0);
    assert.equal(jsonNestingDepth('{"a":[1,{"b":[]}]}'), 4);
    assert.equal(jsonNestingDepth('{"a":"[[[[{{{{"}'), 1);
    assert.equal(jsonNestingDepth('["\\"[[[", [2]]'), 2);
    assert.equal(jsonNestingDepth('[[]][[[]]]'), 3);
  });

  it('measures 200,000 levels without recursion', () => {
    assert.equal(jsonNestingDepth('['.repeat(200_000) + ']'.repeat(200_000)), 200_000);
  });
});

describe('parseJsonWithin', () => {
  const limits = { what: 'The "metadata" part', maxBytes: 1024, code: 10021 };

  it('parses JSON within the limits', () => {
    assert.deepEqual(parseJsonWithin(`{"a":${'['.repeat(63)}${']'.repeat(63)}}`, limits), { a: JSON.parse('['.repeat(63) + ']'.repeat(63)) });
  });

  it('refuses JSON nested deeper than 64 levels with 400, before parsing it', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    assert.throws(() => parseJsonWithin(deep, { ...limits, maxBytes: 1e6 }), refusal(400, 10021, /"metadata" part nests arrays and objects more than 64 levels deep/));
    assert.throws(() => parseJsonWithin('['.repeat(65) + ']'.repeat(65), limits), refusal(400, 10021, /more than 64 levels/));
  });

  it('refuses JSON over its size with 413, counting bytes not characters', () => {
    assert.throws(() => parseJsonWithin(`"${'x'.repeat(1100)}"`, limits), refusal(413, 10021, /is 1102 bytes; at most 1024 bytes/));
    assert.throws(() => parseJsonWithin(`"${'é'.repeat(600)}"`, limits), refusal(413, 10021, /is 1202 bytes/));
  });

  it('refuses text that is not JSON with 400', () => {
    assert.throws(() => parseJsonWithin('{"main_module": ', limits), refusal(400, 10021, /"metadata" part is not valid JSON/));
  });
});
