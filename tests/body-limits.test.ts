import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

const sizes = `export default { async fetch(request) {
  const url = new URL(request.url);
  if (url.pathname === '/echo') return new Response('got ' + (await request.arrayBuffer()).byteLength);
  const size = Number(url.searchParams.get('size'));
  if (url.pathname === '/stream') {
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    (async () => { for (let sent = 0; sent < size; sent += 512) await writer.write(new Uint8Array(512)); await writer.close(); })();
    return new Response(readable);
  }
  return new Response(new Uint8Array(size));
} };`;

describe('request and response body limits', () => {
  let platform: RunningPlatform;

  usePlatform({ env: { SWITCHYARD_MAX_REQUEST_BYTES: '1024', SWITCHYARD_MAX_RESPONSE_BYTES: '2048' } }, async (started) => {
    platform = started.platform;
    assert.equal((await uploadScript(new Api(platform), 'production', 'sizes', {}, [esModule('index.mjs', sizes)])).status, 200);
  });

  it('refuses a request body over the limit with 413 and lets smaller ones through', async () => {
    const small = await visit(platform.ingress, 'sizes', '/echo', { method: 'POST', body: 'x'.repeat(1000) });
    assert.equal(small.body, 'got 1000');
    const big = await visit(platform.ingress, 'sizes', '/echo', { method: 'POST', body: 'x'.repeat(2000) });
    assert.equal(big.status, 413);
    assert.match(big.body, /accepts request bodies of up to 1024 bytes/);
  });

  it('replaces a response over the limit with a clear error, and cuts a streamed one short', async () => {
    assert.equal((await visit(platform.ingress, 'sizes', '/fixed?size=2000')).body.length, 2000);
    const fixed = await visit(platform.ingress, 'sizes', '/fixed?size=4096');
    assert.equal(fixed.status, 502);
    assert.equal(fixed.headers['cf-error-code'], '1103');
    assert.match(fixed.body, /over the 2048 bytes this platform allows/);
    const streamed = await visit(platform.ingress, 'sizes', '/stream?size=8192').catch((error: Error) => ({ status: 0, body: '', error }));
    assert.ok(streamed.body.length <= 2048, `received ${streamed.body.length} bytes of a streamed body over the limit`);
  });
});
