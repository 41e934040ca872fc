import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../http/api-error.ts';
import { readAnnotations } from './version-annotations.ts';

const refused = (message: RegExp) => (error: unknown) => error instanceof ApiError && error.status === 400 && error.code === 10021 && message.test(error.message);

describe('readAnnotations', () => {
  it('keeps annotations up to 4 KiB as JSON', () => {
    assert.deepEqual(readAnnotations({ 'workers/tag': 'v1', 'workers/message': 'fix' }), { 'workers/tag': 'v1', 'workers/message': 'fix' });
    assert.deepEqual(readAnnotations(undefined), {});
    const atLimit = { m: 'x'.repeat(4096 - '{"m":""}'.length) };
    assert.deepEqual(readAnnotations(atLimit), atLimit);
  });

  it('refuses larger annotations, and values that are not objects', () => {
    assert.throws(() => readAnnotations({ m: 'x'.repeat(4096) }), refused(/annotations is 4104 bytes as JSON; at most 4096/));
    assert.throws(() => readAnnotations(['workers/tag']), refused(/must be an object/));
    assert.throws(() => readAnnotations('v1'), refused(/must be an object/));
  });
});
