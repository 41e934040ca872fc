import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blake3 } from '@noble/hashes/blake3.js';
import { Api, helloWorker, uploadScript } from './helpers/api.ts';
import { assetHash, uploadAssets } from './helpers/assets.ts';
import { removeDataDir, startPlatform, type RunningPlatform } from './helpers/platform.ts';

/** wrangler's asset hash: BLAKE3 of the base64 content followed by the extension, 32 hex. */
const wranglerHash = (content: string, extension: string) =>
  Buffer.from(blake3(Buffer.from(Buffer.from(content).toString('base64') + extension))).toString('hex').slice(0, 32);

describe('assets upload sessions', () => {
  let platform: RunningPlatform;
  let api: Api;
  const session = (script: string, manifest: unknown) => api.post(`/workers/dispatch/namespaces/production/scripts/${script}/assets-upload-session`, { manifest });
  const upload = (token: string, parts: Record<string, string>) => {
    const form = new FormData();
    for (const [hash, content] of Object.entries(parts)) form.append(hash, Buffer.from(content).toString('base64'));
    return fetch(api.url('/workers/assets/upload?base64=true'), { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  };

  before(async () => {
    platform = await startPlatform();
    api = new Api(platform);
  });
  after(async () => {
    await platform.stop();
    await removeDataDir(platform);
  });

  it('answers only missing hashes, verifies each file against its hash, and completes', async () => {
    const css = 'body { color: red }';
    const html = '<h1>assets</h1>';
    const manifest = { '/style.css': { hash: wranglerHash(css, 'css'), size: css.length }, '/index.html': { hash: assetHash(html), size: html.length } };
    const started = await session('site', manifest);
    assert.equal(started.status, 200);
    assert.deepEqual(started.body.result.buckets.flat().sort(), [manifest['/style.css'].hash, manifest['/index.html'].hash].sort());

    const wrongContent = await upload(started.body.result.jwt, { [manifest['/style.css'].hash]: 'not the css' });
    assert.equal(wrongContent.status, 400);
    assert.match(((await wrongContent.json()) as { errors: { message: string }[] }).errors[0].message, /does not match its hash/);
    const stranger = await upload(started.body.result.jwt, { [assetHash('other')]: 'other' });
    assert.equal(stranger.status, 400);
    assert.equal((await upload('forged.token.value', { [manifest['/style.css'].hash]: css })).status, 401);
    assert.equal((await fetch(api.url('/workers/assets/upload?base64=true'), { method: 'POST', body: new FormData() })).status, 401);

    const partial = await upload(started.body.result.jwt, { [manifest['/style.css'].hash]: css });
    assert.equal(partial.status, 202);
    const complete = await upload(started.body.result.jwt, { [manifest['/index.html'].hash]: html });
    assert.equal(complete.status, 201);
    const completion = ((await complete.json()) as { result: { jwt: string } }).result.jwt;
    assert.equal((await upload(completion, { [manifest['/index.html'].hash]: html })).status, 401, 'a completion token is not an upload token');

    const deployed = await uploadScript(api, 'production', 'site', { assets: { jwt: completion }, bindings: [{ type: 'assets', name: 'ASSETS' }] }, [helloWorker()]);
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body.errors));
    assert.equal(deployed.body.result.has_assets, true);

    const again = await session('site', manifest);
    assert.deepEqual(again.body.result.buckets, [], 'stored files are not asked for twice');
    const reuse = await uploadScript(api, 'production', 'site-copy', { assets: { jwt: again.body.result.jwt } }, [helloWorker()]);
    assert.equal(reuse.status, 200, 'a session with nothing missing is already complete');
  });

  it('rejects bad manifests and bad completion tokens', async () => {
    assert.equal((await session('bad', { 'no-slash.html': { hash: assetHash('x'), size: 1 } })).status, 400);
    assert.equal((await session('bad', { '/x.html': { hash: 'XYZ', size: 1 } })).status, 400);
    assert.equal((await session('bad', { '/x.html': { hash: assetHash('x'), size: -1 } })).status, 400);
    assert.equal((await api.post('/workers/dispatch/namespaces/production/scripts/bad/assets-upload-session', {})).status, 400);
    const forged = await uploadScript(api, 'production', 'bad', { assets: { jwt: 'a.b.c' } }, [helloWorker()]);
    assert.equal(forged.status, 400);
    assert.match(forged.body.errors[0].message, /completion token/);
    const incomplete = await session('bad', { '/never.txt': { hash: assetHash('never uploaded'), size: 14 } });
    const early = await uploadScript(api, 'production', 'bad', { assets: { jwt: incomplete.body.result.jwt } }, [helloWorker()]);
    assert.equal(early.status, 400);
  });

  it("keeps one account's assets and tokens from another", async () => {
    const secretPage = '<h1>account A only</h1>';
    const completion = await uploadAssets(api, 'production', 'private-site', { '/index.html': secretPage });
    const other = await api.call('POST', '//accounts', { name: 'assets neighbour' });
    const issued = await new Api(platform, platform.token, other.body.result.id).post('/tokens', { name: 'n' });
    const neighbour = new Api(platform, issued.body.result.value, other.body.result.id);
    await neighbour.post('/workers/dispatch/namespaces', { name: 'production' });
    const stolen = await uploadScript(neighbour, 'production', 'thief', { assets: { jwt: completion } }, [helloWorker()]);
    assert.equal(stolen.status, 400, "another account's completion token is refused");
    const probe = await neighbour.post('/workers/dispatch/namespaces/production/scripts/thief/assets-upload-session', {
      manifest: { '/index.html': { hash: assetHash(secretPage), size: secretPage.length } },
    });
    assert.deepEqual(probe.body.result.buckets, [[assetHash(secretPage)]], 'the neighbour cannot learn that account A stores this file');
  });
});
