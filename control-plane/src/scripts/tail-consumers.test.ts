import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../http/api-error.ts';
import { readTailConsumers } from './tail-consumers.ts';

const refused = (message: RegExp) => (error: unknown) => error instanceof ApiError && error.status === 400 && error.code === 10021 && message.test(error.message);

describe('readTailConsumers', () => {
  it('keeps up to 16 consumers as wrangler sends them, dropping unknown fields', () => {
    const consumers = Array.from({ length: 16 }, (_, index) => ({ service: `tail-${index}`, environment: 'production', extra: 'x'.repeat(10) }));
    const read = readTailConsumers(consumers);
    assert.equal(read.length, 16);
    assert.deepEqual(read[0], { service: 'tail-0', environment: 'production' });
  });

  it('refuses 17 consumers, or 200,000', () => {
    assert.throws(() => readTailConsumers(Array.from({ length: 17 }, () => ({ service: 't' }))), refused(/lists 17 consumers; a script may have at most 16/));
    assert.throws(() => readTailConsumers(Array.from({ length: 200_000 }, () => ({ service: 't' }))), refused(/lists 200000 consumers/));
  });

  it('refuses entries without a service name, and values that are not arrays', () => {
    assert.throws(() => readTailConsumers([{ environment: 'x' }]), refused(/tail_consumers\[0\] must be/));
    assert.throws(() => readTailConsumers([{ service: 's', namespace: 'n'.repeat(300) }]), refused(/tail_consumers\[0\] must be/));
    assert.throws(() => readTailConsumers({ service: 's' }), refused(/must be an array/));
  });
});
