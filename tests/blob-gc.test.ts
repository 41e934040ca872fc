import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api, esModule, newAccount, uploadScript, workerForm, type ModulePart } from './helpers/api.ts';
import { assetHash, uploadAssets } from './helpers/assets.ts';
import { visit } from './helpers/ingress.ts';
import { startPlatform, usePlatform, type RunningPlatform } from './helpers/platform.ts';

const mib = 1024 * 1024;
const scriptsOf = (namespace: string) => `/workers/dispatch/namespaces/${namespace}/scripts`;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const dataPart = (name: string, bytes: Uint8Array): ModulePart => ({ name, content: bytes, type: 'application/octet-stream' });
const answering = (text: string) => esModule('index.mjs', `export default { fetch() { return new Response(${JSON.stringify(text)}); } };`);

/** Files and bytes in the blob directory: what an attacker's refused uploads would leave behind. */
async function blobUsage(dataDir: string): Promise<{ files: number; bytes: number }> {
  // No catch: a blob directory that is not where the test looks must fail it, not read as empty.
  const entries = await readdir(join(dataDir, 'blobs'), { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile());
  const sizes = await Promise.all(files.map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size));
  return { files: files.length, bytes: sizes.reduce((sum, size) => sum + size, 0) };
}

const blobPath = (dataDir: string, kind: 'modules' | 'assets', key: string) => join(dataDir, 'blobs', kind, key.slice(0, 2), key);
const exists = (path: string) => access(path).then(() => true, () => false);

describe('blob garbage collection', () => {
  let platform: RunningPlatform;
  let api: Api;
  let innocent: Api;

  const suite = usePlatform({}, async (started) => {
    ({ platform, api } = started);
    innocent = await newAccount(api, platform, 'innocent tenant');
    assert.equal((await innocent.post('/workers/dispatch/namespaces', { name: 'production' })).status, 200);
  });

  it('keeps nothing of refused uploads: the blob directory is unchanged after 4 refusals of 2 MiB each', async () => {
    assert.equal((await uploadScript(api, 'production', 'steady', {}, [answering('steady')])).status, 200);
    const before = await blobUsage(platform.dataDir);
    assert.ok(before.files > 0, 'the live version has its files in the blob directory');
    const throwing = esModule('index.mjs', 'throw new Error("refused at start-up"); export default {};');
    const refusals = [
      await uploadScript(api, 'production', 'refused-1', {}, [throwing, dataPart('a.bin', randomBytes(2 * mib))]),
      await uploadScript(api, 'production', 'refused-2', { bindings: [{ type: 'service', name: 'S', service: 'absent' }] }, [answering('x'), dataPart('b.bin', randomBytes(2 * mib))]),
      await uploadScript(api, 'production', 'refused-3', { compatibility_date: 'someday' }, [answering('x'), dataPart('c.bin', randomBytes(2 * mib))]),
      await api.put(`${scriptsOf('production')}/steady/content`, workerForm({ main_module: 'index.mjs' }, [throwing, dataPart('d.bin', randomBytes(2 * mib))])),
    ];
    assert.deepEqual(refusals.map((refusal) => [refusal.status, refusal.body.errors[0]?.code]), [[400, 10021], [400, 10143], [400, 10021], [400, 10021]]);
    assert.deepEqual(await blobUsage(platform.dataDir), before);
    assert.equal((await visit(platform.ingress, 'steady')).body, 'steady', 'the live version is untouched');
  });

  it("removes a deleted script's blobs, keeping content it shared with another script and another account", async () => {
    const shared = answering('shared bytes');
    const own = randomBytes(64 * 1024);
    assert.equal((await uploadScript(api, 'production', 'leaving', {}, [shared, dataPart('own.bin', own)])).status, 200);
    assert.equal((await uploadScript(api, 'production', 'staying', {}, [shared])).status, 200);
    assert.equal((await uploadScript(innocent, 'production', 'elsewhere', {}, [shared])).status, 200);
    const sharedPath = blobPath(platform.dataDir, 'modules', sha256(new TextEncoder().encode(shared.content as string)));
    const ownPath = blobPath(platform.dataDir, 'modules', sha256(own));
    assert.ok((await exists(sharedPath)) && (await exists(ownPath)));
    const before = await blobUsage(platform.dataDir);

    assert.equal((await api.delete(`${scriptsOf('production')}/leaving`)).status, 200);
    assert.equal(await exists(ownPath), false, 'the blob only the deleted script named is gone');
    assert.equal(await exists(sharedPath), true, 'the blob other scripts name stays');
    assert.deepEqual(await blobUsage(platform.dataDir), { files: before.files - 1, bytes: before.bytes - own.byteLength });
    assert.equal((await visit(platform.ingress, 'staying')).body, 'shared bytes');
    assert.equal((await innocent.raw('GET', `${scriptsOf('production')}/elsewhere/content`)).status, 200);
  });

  it('removes the blobs of a deleted version, and refuses to delete the live one', async () => {
    const first = randomBytes(32 * 1024);
    assert.equal((await uploadScript(api, 'production', 'versioned', {}, [answering('v1'), dataPart('v.bin', first)])).status, 200);
    assert.equal((await uploadScript(api, 'production', 'versioned', {}, [answering('v2'), dataPart('v.bin', randomBytes(32 * 1024))])).status, 200);
    const versions = (await api.get(`${scriptsOf('production')}/versioned/versions`)).body.result as { id: string; live: boolean }[];
    const [live, old] = [versions.find((version) => version.live)!, versions.find((version) => !version.live)!];

    const refused = await api.delete(`${scriptsOf('production')}/versioned/versions/${live.id}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.errors[0].code, 10063);
    assert.match(refused.body.errors[0].message, /is the live version of "versioned": deploy another version first/);

    assert.equal((await api.delete(`${scriptsOf('production')}/versioned/versions/${old.id}`)).status, 200);
    assert.equal(await exists(blobPath(platform.dataDir, 'modules', sha256(first))), false);
    assert.deepEqual((await api.get(`${scriptsOf('production')}/versioned/versions`)).body.result.map((version: { id: string }) => version.id), [live.id]);
    assert.equal((await api.delete(`${scriptsOf('production')}/versioned/versions/${old.id}`)).status, 404);
    assert.equal((await visit(platform.ingress, 'versioned')).body, 'v2');
  });

  it("removes a deleted namespace's blobs, and a deleted script's assets", async () => {
    assert.equal((await api.post('/workers/dispatch/namespaces', { name: 'doomed' })).status, 200);
    const unique = randomBytes(16 * 1024);
    assert.equal((await uploadScript(api, 'doomed', 'inside', {}, [answering('inside'), dataPart('u.bin', unique)])).status, 200);
    assert.equal((await api.delete('/workers/dispatch/namespaces/doomed')).status, 200);
    assert.equal(await exists(blobPath(platform.dataDir, 'modules', sha256(unique))), false);

    const page = `<h1>${randomBytes(8).toString('hex')}</h1>`;
    const common = `<p>${randomBytes(8).toString('hex')}</p>`;
    const assets = { assets: { jwt: '' }, bindings: [{ type: 'assets', name: 'ASSETS' }] };
    assets.assets.jwt = await uploadAssets(api, 'production', 'site', { '/index.html': page, '/common.html': common });
    assert.equal((await uploadScript(api, 'production', 'site', assets)).status, 200);
    assets.assets.jwt = await uploadAssets(api, 'production', 'site-copy', { '/common.html': common });
    assert.equal((await uploadScript(api, 'production', 'site-copy', assets)).status, 200);
    const [pagePath, commonPath] = [page, common].map((content) => blobPath(platform.dataDir, 'assets', platform.accountId + assetHash(content)));
    assert.ok((await exists(pagePath)) && (await exists(commonPath)));

    assert.equal((await api.delete(`${scriptsOf('production')}/site`)).status, 200);
    assert.equal(await exists(pagePath), false, 'an asset only the deleted script served is gone');
    assert.equal(await exists(commonPath), true, 'an asset another script serves stays');
  });

  it('sweeps, at start-up, blobs a crash left without a version, and keeps every named one', async () => {
    const orphan = randomBytes(1024);
    const orphanPath = blobPath(platform.dataDir, 'modules', sha256(orphan));
    await platform.stop();
    await mkdir(join(orphanPath, '..'), { recursive: true });
    await writeFile(orphanPath, orphan);
    const named = await blobUsage(platform.dataDir);

    platform = await startPlatform({ dataDir: platform.dataDir, accountId: platform.accountId, token: platform.token });
    suite.follow(platform);
    for (let waited = 0; (await exists(orphanPath)) && waited < 10_000; waited += 100) await sleep(100);
    assert.equal(await exists(orphanPath), false, 'the orphan is swept');
    assert.deepEqual(await blobUsage(platform.dataDir), { files: named.files - 1, bytes: named.bytes - orphan.byteLength });
    assert.equal((await visit(platform.ingress, 'staying')).body, 'shared bytes');
    assert.equal((await visit(platform.ingress, 'versioned')).body, 'v2');
  });
});
