import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Api, esModule, newAccount, uploadScript, type ModulePart } from './helpers/api.ts';
import { assetHash } from './helpers/assets.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

const kib = 1024;
const scriptsOf = (namespace: string) => `/workers/dispatch/namespaces/${namespace}/scripts`;
const answering = (text: string) => esModule('index.mjs', `export default { fetch() { return new Response(${JSON.stringify(text)}); } };`);
const dataPart = (bytes: Uint8Array): ModulePart => ({ name: 'payload.bin', content: bytes, type: 'application/octet-stream' });

async function blobFiles(dataDir: string): Promise<number> {
  const entries = await readdir(join(dataDir, 'blobs'), { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}

describe('per-account storage quota (SWITCHYARD_ACCOUNT_STORAGE_MB=1)', () => {
  let platform: RunningPlatform;
  let api: Api;
  let innocent: Api;
  const first = randomBytes(600 * kib);

  usePlatform({ env: { SWITCHYARD_ACCOUNT_STORAGE_MB: '1' } }, async (started) => {
    ({ platform, api } = started);
    innocent = await newAccount(api, platform, 'innocent tenant');
    assert.equal((await innocent.post('/workers/dispatch/namespaces', { name: 'production' })).status, 200);
  });

  it('refuses an upload past the quota with 413 and code 10029, saying the quota, the usage and what to delete, and stores nothing of it', async () => {
    const stored = await uploadScript(api, 'production', 'first', {}, [answering('first'), dataPart(first)]);
    assert.equal(stored.status, 200, JSON.stringify(stored.body.errors));
    const files = await blobFiles(platform.dataDir);

    const refused = await uploadScript(api, 'production', 'second', {}, [answering('second'), dataPart(randomBytes(600 * kib))]);
    assert.equal(refused.status, 413);
    assert.equal(refused.body.success, false);
    assert.equal(refused.body.errors[0].code, 10029);
    assert.match(
      refused.body.errors[0].message,
      /^This account stores 60\d\.\d KiB of its 1\.0 MiB storage quota, and this upload would add 60\d\.\d KiB\. Delete scripts \(DELETE …\/scripts\/:name\) or versions \(DELETE …\/scripts\/:name\/versions\/:id\) you no longer need, or ask the platform operator for a larger quota\.$/,
    );
    assert.equal((await api.get(`${scriptsOf('production')}/second`)).status, 404);
    assert.equal(await blobFiles(platform.dataDir), files, 'no blob of the refused upload is kept');
  });

  it('admits a redeploy that reuses stored content, since only its settings are new', async () => {
    const again = await uploadScript(api, 'production', 'first', { compatibility_date: '2025-01-01' }, [answering('first'), dataPart(first)]);
    assert.equal(again.status, 200, JSON.stringify(again.body.errors));
  });

  it('counts assets: a session for more than the quota allows is refused, and an asset larger than its manifest says is refused', async () => {
    const big = randomBytes(500 * kib).toString('hex');
    const session = await api.post(`${scriptsOf('production')}/site/assets-upload-session`, { manifest: { '/big.txt': { hash: assetHash(big), size: Buffer.byteLength(big) } } });
    assert.equal(session.status, 413);
    assert.equal(session.body.errors[0].code, 10029);
    assert.match(session.body.errors[0].message, /storage quota/);

    const lying = await api.post(`${scriptsOf('production')}/site/assets-upload-session`, { manifest: { '/small.txt': { hash: assetHash(big), size: 1 } } });
    assert.equal(lying.status, 200, JSON.stringify(lying.body.errors));
    const form = new FormData();
    form.append(assetHash(big), Buffer.from(big).toString('base64'));
    const upload = await fetch(api.url('/workers/assets/upload?base64=true'), { method: 'POST', body: form, headers: { authorization: `Bearer ${lying.body.result.jwt}` } });
    assert.equal(upload.status, 400);
    assert.match(((await upload.json()) as { errors: { message: string }[] }).errors[0].message, /is 1024000 bytes, but the upload session's manifest says 1/);
  });

  it('leaves other accounts their own quota', async () => {
    const uploaded = await uploadScript(innocent, 'production', 'neighbour', {}, [answering('neighbour'), dataPart(randomBytes(600 * kib))]);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
  });

  it('admits the refused upload once the account deleted what it no longer needs', async () => {
    assert.equal((await api.delete(`${scriptsOf('production')}/first`)).status, 200);
    const retried = await uploadScript(api, 'production', 'second', {}, [answering('second'), dataPart(randomBytes(600 * kib))]);
    assert.equal(retried.status, 200, JSON.stringify(retried.body.errors));
    assert.equal((await visit(platform.ingress, 'second')).body, 'second');
  });

  it('lets no two concurrent uploads pass the quota together', async () => {
    const files = await blobFiles(platform.dataDir);
    const uploads = await Promise.all(
      [0, 1, 2].map((index) => uploadScript(api, 'production', `parallel-${index}`, {}, [answering('parallel'), dataPart(randomBytes(300 * kib))])),
    );
    const statuses = uploads.map((upload) => upload.status).sort();
    assert.deepEqual(statuses, [200, 413, 413], JSON.stringify(uploads.map((upload) => upload.body.errors)));
    assert.ok(uploads.filter((upload) => upload.status === 413).every((upload) => upload.body.errors[0].code === 10029));
    assert.equal(await blobFiles(platform.dataDir), files + 2, 'the admitted upload\'s module and data, nothing of the refused ones');
  });
});
