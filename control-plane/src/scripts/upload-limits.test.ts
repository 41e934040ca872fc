import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../http/api-error.ts';
import { assertPartsWithinLimits, uploadLimits, type PartSize } from './upload-limits.ts';

const refusal = (status: number, code: number, message: RegExp) => (error: unknown) =>
  error instanceof ApiError && error.status === status && error.code === code && message.test(error.message);
const mib = 1024 * 1024;

describe('assertPartsWithinLimits', () => {
  it('takes modules and source maps up to their own limits', () => {
    assertPartsWithinLimits([
      { name: 'worker.mjs', type: 'esModule', size: 6 * mib },
      { name: 'data.bin', type: 'data', size: 4 * mib },
      { name: 'worker.mjs.map', type: 'sourceMap', size: 10 * mib },
    ]);
  });

  it('counts every part that is not a source map toward the module limit', () => {
    const parts: PartSize[] = [
      { name: 'worker.mjs', type: 'esModule', size: 1 },
      { name: 'blob.bin', type: 'data', size: 10 * mib },
    ];
    assert.throws(() => assertPartsWithinLimits(parts), refusal(413, 10027, /modules total 10485761 bytes, over the size limit of 10 MiB/));
  });

  it('counts source maps toward a limit of their own', () => {
    const parts: PartSize[] = [
      { name: 'worker.mjs', type: 'esModule', size: 100 },
      { name: 'a.map', type: 'sourceMap', size: 6 * mib },
      { name: 'b.map', type: 'sourceMap', size: 6 * mib },
    ];
    assert.throws(() => assertPartsWithinLimits(parts), refusal(413, 10027, /source maps total 12582912 bytes, over the size limit of 10 MiB/));
  });

  it('refuses more parts than allowed, even empty ones', () => {
    const parts = Array.from({ length: uploadLimits.parts + 1 }, (_, index): PartSize => ({ name: `m${index}.mjs`, type: 'esModule', size: 0 }));
    assert.throws(() => assertPartsWithinLimits(parts), refusal(413, 10027, /1001 parts; at most 1000/));
    assertPartsWithinLimits(parts.slice(1));
  });

  it('refuses a part name longer than 1024 bytes', () => {
    assert.throws(() => assertPartsWithinLimits([{ name: 'x'.repeat(1025), type: 'esModule', size: 1 }]), refusal(400, 10021, /longer than 1024 bytes/));
  });
});
