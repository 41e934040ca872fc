import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enumValue, serializeConfig, serializeValue, voidValue } from './capnp-text.ts';

describe('capnp text', () => {
  it('quotes text so that nothing in it can end the literal or splice in config', () => {
    assert.equal(serializeValue('a"b\\c\nd\te\r\x01\x7f€😀'), '"a\\"b\\\\c\\nd\\te\\r\\x01\\x7f€😀"');
    assert.equal(serializeValue('"); const evil = ("'), '"\\"); const evil = (\\""');
  });

  it('writes structs, lists, numbers, booleans, enums and void, dropping undefined fields', () => {
    assert.equal(serializeValue({ name: 'x', list: [1, true, enumValue('host')], http: voidValue, skipped: undefined }), '(name = "x", list = [1, true, host], http = ())');
    assert.throws(() => serializeValue({ 'bad name': 1 }), /invalid capnp field name/);
    assert.throws(() => serializeValue(Number.NaN), /finite/);
    assert.throws(() => enumValue('not-an-enum'), /invalid capnp enumerant/);
  });

  it('embeds a whole worker bundle as one literal, every line escaped', () => {
    const bundle = 'export default { fetch() { return new Response("hi\\n"); } };\n'.repeat(5000);
    const text = serializeConfig({ modules: [{ name: 'w.js', esModule: bundle }] }, '/workerd/workerd.capnp');
    assert.equal(text.split('\n').length, 3, 'a header line, the config line, and the final newline');
    assert.equal(text.split('return new Response(\\"hi\\\\n\\");').length, 5001);
  });
});
