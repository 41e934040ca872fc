import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.deepEqual(coerce(decodeBracketFields(entries, 'metadata')), {
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
    assert.equal(decodeBracketFields([['metadata', '{}']], 'metadata'), undefined);
  });

  it('keeps strings that only look like numbers or booleans where a string belongs', () => {
    assert.deepEqual(coerce({ bindings: [{ type: 'plain_text', name: 'N', text: '123' }, { type: 'plain_text', name: 'B', text: 'true' }] }), {
      bindings: [{ type: 'plain_text', name: 'N', text: '123' }, { type: 'plain_text', name: 'B', text: 'true' }],
    });
  });
});
