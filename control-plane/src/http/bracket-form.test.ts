import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './api-error.ts';
import { coerce, decodeBracketFields } from './bracket-form.ts';

describe('decodeBracketFields', () => {
  it('rebuilds nested objects and arrays of objects as the cloudflare SDK encodes them', () => {
    const entries: [string, string][] = [
      ['metadata[main_module]', 'worker.mjs'],
      ['metadata[bindings][][type]', 'plain_text'],
      ['metadata[bindings][][name]', 'A'],
      ['metadata[bindings][][text]', 'b'],
      ['metadata[bindings][][type]', 'json'],
      ['metadata[bindings][][name]', 'J'],
      ['metadata[bindings][][json][x]', '1'],
      ['metadata[keep_assets]', 'true'],
      ['metadata[compatibility_flags][]', 'nodejs_compat'],
      ['metadata[compatibility_flags][]', 'streams_enable_constructors'],
      ['metadata[limits][cpu_ms]', '50'],
      ['other', 'ignored'],
    ];
    assert.deepEqual(coerce(decodeBracketFields(entries, 'metadata', 10021)), {
      main_module: 'worker.mjs',
      bindings: [
        { type: 'plain_text', name: 'A', text: 'b' },
        { type: 'json', name: 'J', json: { x: '1' } },
      ],
      keep_assets: true,
      compatibility_flags: ['nodejs_compat', 'streams_enable_constructors'],
      limits: { cpu_ms: 50 },
    });
  });

  it('answers undefined when no field uses the root', () => {
    assert.equal(decodeBracketFields([['metadata', '{}']], 'metadata', 10021), undefined);
  });

  it('refuses a field nested deeper than JSON may be, without overflowing the stack', () => {
    const deep = `metadata${'[a]'.repeat(200_000)}`;
    assert.throws(
      () => decodeBracketFields([[deep, 'x']], 'metadata', 10021),
      (error: unknown) => error instanceof ApiError && error.status === 400 && error.code === 10021 && /more than 64 levels deep/.test(error.message),
    );
    assert.ok(decodeBracketFields([[`metadata${'[a]'.repeat(64)}`, 'x']], 'metadata', 10021)?.a, 'a field 64 levels deep is taken');
  });

  it('keeps strings that only look like numbers or booleans where a string belongs', () => {
    assert.deepEqual(coerce({ bindings: [{ type: 'plain_text', name: 'N', text: '123' }, { type: 'plain_text', name: 'B', text: 'true' }] }), {
      bindings: [{ type: 'plain_text', name: 'N', text: '123' }, { type: 'plain_text', name: 'B', text: 'true' }],
    });
  });
});
