import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { request as httpRequest } from 'node:http';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

const sizes = `export default { async fetch(request) {
  const url = new URL(request.url);
  if (url.pathname === '/echo') return new Response('got ' + (await request.arrayBuffer()).byteLength);
  const size = Number(url.searchParams.get('size'));
  if (url.pathname === '/stream') {
    // Waits between chunks, so the body streams (one that is all there at once is sent with its length).
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    (async () => { for (let sent = 0; sent < size; sent += 512) { await writer.write(new Uint8Array(512)); await scheduler.wait(5); } await writer.close(); })();
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
    const streamed = await rawExchange(platform.ingress, 'GET', '/stream?size=8192', []);
    assert.equal(streamed.status, 200, 'the headers went out before the body passed the limit');
    assert.ok(streamed.bytes >= 512 && streamed.bytes <= 2048, `received ${streamed.bytes} bytes of a streamed body over the limit`);
    assert.equal(streamed.complete, false, 'the response is cut off, not ended as if whole');
    const underLimit = await rawExchange(platform.ingress, 'GET', '/stream?size=1536', []);
    assert.deepEqual([underLimit.status, underLimit.bytes, underLimit.complete], [200, 1536, true], 'a streamed body under the limit arrives whole');
  });

  it('answers 413 to a streamed (chunked) request body over the limit, and serves one under it', async () => {
    const chunk = 'y'.repeat(400);
    const under = await rawExchange(platform.ingress, 'POST', '/echo', [chunk, chunk]);
    assert.deepEqual([under.status, under.text], [200, 'got 800']);
    const over = await rawExchange(platform.ingress, 'POST', '/echo', [chunk, chunk, chunk, chunk]);
    assert.equal(over.status, 413);
    assert.match(over.text, /accepts request bodies of up to 1024 bytes/);
  });
});

/**
 * A request to the `sizes` script whose body (if any) is sent in chunks without a length, reporting
 * how much of the response arrived and whether it ended cleanly.
 */
function rawExchange(ingress: string, method: string, path: string, chunks: string[]): Promise<{ status: number; bytes: number; text: string; complete: boolean }> {
  const url = new URL(ingress);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { host: 'sizes.localhost', ...(chunks.length ? { 'transfer-encoding': 'chunked' } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      const done = (complete: boolean) => {
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, bytes: body.length, text: body.toString('utf8'), complete });
      };
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => done(res.complete));
      res.on('aborted', () => done(false));
      res.on('error', () => done(false));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
