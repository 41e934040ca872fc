import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { blake3 } from '@noble/hashes/blake3.js';
import { Api, esModule, helloWorker, newAccount, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

type Content = string | Uint8Array;
const bytesOf = (content: Content) => (typeof content === 'string' ? Buffer.from(content) : Buffer.from(content));

/** The hash Cloudflare documents for direct uploads: SHA-256 of the content, 32 hex. */
const sha256Hash = (content: Content) => createHash('sha256').update(bytesOf(content)).digest('hex').slice(0, 32);

/** wrangler's hash (deploy-helpers hashFile): BLAKE3 of base64(content) + extname(path) without the dot, 32 hex. */
const wranglerHash = (content: Content, path: string) =>
  Buffer.from(blake3(Buffer.from(bytesOf(content).toString('base64') + posix.extname(path).slice(1))))
    .toString('hex')
    .slice(0, 32);

interface Asset {
  hash: string;
  content: Content;
}
type Site = Record<string, Asset>;

const manifestOf = (site: Site) => Object.fromEntries(Object.entries(site).map(([path, asset]) => [path, { hash: asset.hash, size: bytesOf(asset.content).byteLength }]));
const sha256Site = (files: Record<string, Content>): Site => Object.fromEntries(Object.entries(files).map(([path, content]) => [path, { hash: sha256Hash(content), content }]));
const wranglerSite = (files: Record<string, Content>): Site => Object.fromEntries(Object.entries(files).map(([path, content]) => [path, { hash: wranglerHash(content, path), content }]));
/** Content no other test (and no other run against the same account) uploads. */
const unique = (label: string) => `${label} ${randomBytes(8).toString('hex')}`;

interface UploadAnswer {
  status: number;
  body: { success: boolean; errors: { code: number; message: string }[]; result: { jwt: string | null } | null };
}

describe('static assets upload flow', () => {
  let platform: RunningPlatform;
  let api: Api;

  const sessionPath = (namespace: string, script: string) => `/workers/dispatch/namespaces/${namespace}/scripts/${script}/assets-upload-session`;
  const startSession = (namespace: string, script: string, manifest: unknown, as = api) => as.post(sessionPath(namespace, script), { manifest });
  /** POST .../workers/assets/upload?base64=true with parts named by hash, as curl -F sends them. */
  const upload = async (token: string | null, parts: [hash: string, content: Content][], accountId = platform.accountId): Promise<UploadAnswer> => {
    const form = new FormData();
    for (const [hash, content] of parts) form.append(hash, bytesOf(content).toString('base64'));
    const response = await fetch(`${platform.apiBase}/accounts/${accountId}/workers/assets/upload?base64=true`, {
      method: 'POST',
      body: form,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as UploadAnswer['body'] };
  };
  const partsOf = (site: Site, hashes: string[]) =>
    hashes.map((hash): [string, Content] => {
      const asset = Object.values(site).find((candidate) => candidate.hash === hash);
      assert.ok(asset, `the session asked for ${hash}, which is not in the manifest`);
      return [hash, asset.content];
    });
  /** Runs a whole session: start, upload every bucket, return the completion token. */
  const uploadSite = async (namespace: string, script: string, site: Site, as = api): Promise<string> => {
    const session = await startSession(namespace, script, manifestOf(site), as);
    assert.equal(session.status, 200, JSON.stringify(session.body.errors));
    let completion: string | null = session.body.result.buckets.length === 0 ? session.body.result.jwt : null;
    for (const bucket of session.body.result.buckets as string[][]) {
      const answer = await upload(session.body.result.jwt, partsOf(site, bucket), as.accountId);
      assert.ok(answer.status === 201 || answer.status === 202, JSON.stringify(answer.body));
      completion = answer.body.result!.jwt;
    }
    assert.ok(completion, 'the last bucket completes the session');
    return completion;
  };
  const deploy = (namespace: string, script: string, metadata: Record<string, unknown>, as = api) => uploadScript(as, namespace, script, metadata, [helloWorker(`script ${script}`)]);
  const deployWithAssets = (namespace: string, script: string, jwt: string, config: Record<string, unknown> = {}, as = api) =>
    deploy(namespace, script, { assets: { jwt, config }, bindings: [{ type: 'assets', name: 'ASSETS' }] }, as);
  const newNamespace = async (name: string, as = api) => {
    const created = await as.post('/workers/dispatch/namespaces', { name });
    assert.equal(created.status, 200, JSON.stringify(created.body.errors));
    return name;
  };
  const assertHasAssets = async (namespace: string, script: string, expected: boolean) => {
    const details = await api.get(`/workers/dispatch/namespaces/${namespace}/scripts/${script}`);
    assert.equal(details.status, 200, JSON.stringify(details.body.errors));
    assert.equal(details.body.result.script.has_assets, expected, `has_assets of ${script}`);
    const settings = await api.get(`/workers/dispatch/namespaces/${namespace}/scripts/${script}/settings`);
    assert.equal(settings.status, 200);
    const assetBindings = settings.body.result.bindings.filter((binding: { type: string }) => binding.type === 'assets');
    assert.deepEqual(assetBindings, expected ? [{ type: 'assets', name: 'ASSETS' }] : []);
  };

  usePlatform({}, (started) => ({ platform, api } = started));

  it('uploads files hashed with SHA-256, completes the session and deploys them', async () => {
    const namespace = await newNamespace('assets-sha256');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, ...randomBytes(300)]);
    const site = sha256Site({
      '/index.html': `<h1>${unique('sha home')}</h1>`,
      '/css/style.css': `body { color: red } /* ${unique('css')} */`,
      '/img/logo.png': png,
    });
    const session = await startSession(namespace, 'sha-site', manifestOf(site));
    assert.equal(session.status, 200, JSON.stringify(session.body.errors));
    assert.equal(session.body.success, true);
    assert.equal(typeof session.body.result.jwt, 'string');
    const buckets = session.body.result.buckets as string[][];
    assert.ok(Array.isArray(buckets) && buckets.every((bucket) => Array.isArray(bucket) && bucket.length > 0));
    assert.deepEqual(buckets.flat().sort(), Object.values(site).map((asset) => asset.hash).sort(), 'every new file is asked for exactly once');

    const hashes = buckets.flat();
    const partial = await upload(session.body.result.jwt, partsOf(site, hashes.slice(0, 1)));
    assert.equal(partial.status, 202);
    assert.equal(partial.body.success, true);
    assert.equal(partial.body.result!.jwt, null, 'no completion token while files are missing');
    const deployEarly = await deployWithAssets(namespace, 'sha-site', session.body.result.jwt);
    assert.equal(deployEarly.status, 400, 'the upload token is not a completion token');

    const rest = await upload(session.body.result.jwt, partsOf(site, hashes.slice(1)));
    assert.equal(rest.status, 201, JSON.stringify(rest.body));
    const completion = rest.body.result!.jwt;
    assert.equal(typeof completion, 'string');
    assert.notEqual(completion, session.body.result.jwt);
    // Uploading a file again is harmless and still answers the completion.
    const again = await upload(session.body.result.jwt, partsOf(site, hashes.slice(0, 1)));
    assert.equal(again.status, 201);
    assert.equal(typeof again.body.result!.jwt, 'string');

    const deployed = await deployWithAssets(namespace, 'sha-site', completion!, { html_handling: 'auto-trailing-slash', not_found_handling: '404-page' });
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body.errors));
    assert.equal(deployed.body.result.has_assets, true);
    await assertHasAssets(namespace, 'sha-site', true);
  });

  it("accepts wrangler's BLAKE3 hashes (base64 content + extension), including files without an extension", async () => {
    const namespace = await newNamespace('assets-wrangler');
    const site = wranglerSite({
      '/index.html': `<h1>${unique('wrangler home')}</h1>`,
      '/app.js': `console.log(${JSON.stringify(unique('app'))})`,
      '/data/blob.bin': new Uint8Array([0, 255, 128, 10, 13, ...randomBytes(64)]),
      '/LICENSE': unique('no extension'),
      '/archive.tar.gz': new Uint8Array(randomBytes(32)),
      '/.well-known/.hidden': unique('a dotfile has no extension'),
    });
    // The extension is part of the hash: the same content under another extension has another hash.
    assert.notEqual(wranglerHash('same', '/a.html'), wranglerHash('same', '/a.txt'));

    const session = await startSession(namespace, 'wrangler-site', manifestOf(site));
    assert.equal(session.status, 200, JSON.stringify(session.body.errors));
    assert.deepEqual((session.body.result.buckets as string[][]).flat().sort(), Object.values(site).map((asset) => asset.hash).sort());
    for (const [path, asset] of Object.entries(site)) {
      const answer = await upload(session.body.result.jwt, [[asset.hash, asset.content]]);
      assert.ok(answer.status === 201 || answer.status === 202, `${path}: ${JSON.stringify(answer.body)}`);
    }
    const done = await upload(session.body.result.jwt, []);
    assert.equal(done.status, 201, 'an empty upload after the last file answers the completion token');
    const deployed = await deployWithAssets(namespace, 'wrangler-site', done.body.result!.jwt!, { html_handling: 'none', not_found_handling: 'single-page-application' });
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body.errors));
    assert.equal(deployed.body.result.has_assets, true);
    await assertHasAssets(namespace, 'wrangler-site', true);
  });

  it('accepts raw file parts when ?base64=true is not given', async () => {
    const namespace = await newNamespace('assets-raw');
    const binary = new Uint8Array([0, 1, 2, 0xfe, 0xff, ...randomBytes(100)]);
    const site = { ...sha256Site({ '/raw.bin': binary }), ...wranglerSite({ '/raw.txt': unique('raw text') }) };
    const session = await startSession(namespace, 'raw', manifestOf(site));
    const form = new FormData();
    for (const asset of Object.values(site)) form.append(asset.hash, new Blob([new Uint8Array(bytesOf(asset.content))]), asset.hash);
    const response = await fetch(`${platform.apiBase}/accounts/${platform.accountId}/workers/assets/upload`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${session.body.result.jwt}` },
    });
    const body = (await response.json()) as UploadAnswer['body'];
    assert.equal(response.status, 201, JSON.stringify(body));
    assert.equal((await deployWithAssets(namespace, 'raw', body.result!.jwt!)).status, 200);
  });

  it('serves the uploaded bytes through the ingress', async () => {
    const home = `<h1>${unique('served')}</h1>`;
    const script = `console.log(${JSON.stringify(unique('served js'))})`;
    const site = { ...sha256Site({ '/index.html': home }), ...wranglerSite({ '/main.js': script }) };
    const completion = await uploadSite('production', 'served-site', site);
    const deployed = await deployWithAssets('production', 'served-site', completion);
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body.errors));
    const served = await visit(platform.ingress, 'served-site', '/');
    assert.equal(served.status, 200);
    assert.equal(served.body, home);
    assert.equal((await visit(platform.ingress, 'served-site', '/main.js')).body, script);
  });

  it('dedupes: a second session for stored files needs no upload and its jwt is a completion token', async () => {
    const namespace = await newNamespace('assets-dedupe');
    const site = sha256Site({ '/index.html': unique('dedupe home'), '/copy.html': unique('dedupe copy') });
    const first = await uploadSite(namespace, 'dedupe-one', site);
    assert.equal((await deployWithAssets(namespace, 'dedupe-one', first)).status, 200);

    const second = await startSession(namespace, 'dedupe-two', manifestOf(site));
    assert.equal(second.status, 200);
    assert.deepEqual(second.body.result.buckets, []);
    const deployed = await deployWithAssets(namespace, 'dedupe-two', second.body.result.jwt);
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body.errors));
    await assertHasAssets(namespace, 'dedupe-two', true);
    // Its jwt is a completion token, so it cannot upload.
    assert.equal((await upload(second.body.result.jwt, [[site['/index.html'].hash, site['/index.html'].content]])).status, 401);

    // Stored files are shared across namespaces of the account; only the new file is asked for.
    const other = await newNamespace('assets-dedupe-elsewhere');
    const extra = sha256Site({ '/new.txt': unique('only this one is new') });
    const mixed = await startSession(other, 'dedupe-three', manifestOf({ ...site, ...extra }));
    assert.deepEqual(mixed.body.result.buckets, [[extra['/new.txt'].hash]]);

    // The same content at two paths is asked for once.
    const twice = unique('same content twice');
    const duplicated = sha256Site({ '/a.txt': twice, '/b/a.txt': twice });
    const dupSession = await startSession(other, 'dedupe-four', manifestOf(duplicated));
    assert.deepEqual(dupSession.body.result.buckets, [[sha256Hash(twice)]]);
    const complete = await upload(dupSession.body.result.jwt, [[sha256Hash(twice), twice]]);
    assert.equal(complete.status, 201);
  });

  it('rejects content that does not match its hash and stores none of it', async () => {
    const namespace = await newNamespace('assets-mismatch');
    const real = unique('the real file');
    const site = { ...sha256Site({ '/real.html': real }), ...wranglerSite({ '/real.css': unique('real css') }) };
    const session = await startSession(namespace, 'mismatch', manifestOf(site));
    const jwt = session.body.result.jwt as string;

    const wrong = await upload(jwt, [[site['/real.html'].hash, 'forged content']]);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.success, false);
    assert.match(wrong.body.errors[0].message, /does not match its hash/);
    const wrongCss = await upload(jwt, [[site['/real.css'].hash, 'forged css']]);
    assert.equal(wrongCss.status, 400);
    // Sent without base64 encoding although ?base64=true says it is.
    const form = new FormData();
    form.append(site['/real.html'].hash, real);
    const notBase64 = await fetch(`${platform.apiBase}/accounts/${platform.accountId}/workers/assets/upload?base64=true`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${jwt}` },
    });
    assert.equal(notBase64.status, 400);

    const retry = await startSession(namespace, 'mismatch', manifestOf(site));
    assert.deepEqual(
      (retry.body.result.buckets as string[][]).flat().sort(),
      [site['/real.html'].hash, site['/real.css'].hash].sort(),
      'nothing of a refused upload was stored',
    );
    const good = await upload(jwt, partsOf(site, [site['/real.html'].hash, site['/real.css'].hash]));
    assert.equal(good.status, 201, 'the session is still usable after a refused part');
  });

  it('authenticates uploads with the session token only', async () => {
    const namespace = await newNamespace('assets-auth');
    const site = sha256Site({ '/auth.txt': unique('auth') });
    const part: [string, Content] = [site['/auth.txt'].hash, site['/auth.txt'].content];
    const session = await startSession(namespace, 'auth', manifestOf(site));
    const jwt = session.body.result.jwt as string;

    for (const token of [null, 'not-a-token', `${jwt.slice(0, -4)}AAAA`, platform.token, 'a.b.c']) {
      const refused = await upload(token, [part]);
      assert.equal(refused.status, 401, String(token));
      assert.equal(refused.body.success, false);
      assert.equal(refused.body.errors[0].code, 10000);
    }
    const account = await api.call('POST', '//accounts', { name: 'assets auth other' });
    const elsewhere = await upload(jwt, [part], account.body.result.id);
    assert.equal(elsewhere.status, 401, 'a session token only uploads to its own account');

    const stranger = sha256Hash(unique('not in the session'));
    const notInSession = await upload(jwt, [[stranger, 'not in the session']]);
    assert.equal(notInSession.status, 400);
    assert.match(notInSession.body.errors[0].message, /not the hash of any asset/);

    const complete = await upload(jwt, [part]);
    assert.equal(complete.status, 201);
    const asUploadToken = await upload(complete.body.result!.jwt, [part]);
    assert.equal(asUploadToken.status, 401, 'a completion token is not an upload token');
  });

  it('refuses bad manifests', async () => {
    const namespace = await newNamespace('assets-manifests');
    const hash = sha256Hash('x');
    const bad: unknown[] = [
      undefined,
      null,
      [],
      'manifest',
      { 'no-slash.html': { hash, size: 1 } },
      { '/nul\0.html': { hash, size: 1 } },
      { '/x.html': { hash: 'XYZ', size: 1 } },
      { '/x.html': { hash: hash.toUpperCase(), size: 1 } },
      { '/x.html': { hash: hash.slice(0, 31), size: 1 } },
      { '/x.html': { hash: `${hash}0`, size: 1 } },
      { '/x.html': { hash: 'g'.repeat(32), size: 1 } },
      { '/x.html': { hash, size: -1 } },
      { '/x.html': { hash, size: 1.5 } },
      { '/x.html': { hash, size: '1' } },
      { '/x.html': { hash, size: 25 * 1024 * 1024 + 1 } },
      { '/x.html': { hash } },
      { '/x.html': null },
      { '/x.html': hash },
    ];
    for (const manifest of bad) {
      const refused = await startSession(namespace, 'bad-manifest', manifest);
      assert.equal(refused.status, 400, JSON.stringify(manifest));
      assert.equal(refused.body.success, false);
    }
    assert.equal((await api.post(sessionPath(namespace, 'bad-manifest'), {})).status, 400);
    assert.equal((await api.call('POST', sessionPath(namespace, 'bad-manifest'), '{oops', { 'content-type': 'application/json' })).status, 400);
    assert.equal((await startSession(namespace, 'Bad Script Name!', { '/x.html': { hash, size: 1 } })).status, 400);
    assert.equal((await startSession('no-such-namespace', 'ok', { '/x.html': { hash, size: 1 } })).status, 404);
    assert.equal((await startSession(namespace, 'ok', { '/x.html': { hash, size: 1 } })).status, 200);
  });

  it('refuses a deploy with an invalid assets jwt or config', async () => {
    const namespace = await newNamespace('assets-bad-deploy');
    const site = sha256Site({ '/deploy.html': unique('deploy') });
    const completion = await uploadSite(namespace, 'bad-deploy', site);
    const incomplete = await startSession(namespace, 'bad-deploy', manifestOf(sha256Site({ '/never.txt': unique('never uploaded') })));

    for (const jwt of ['garbage', 'a.b.c', `${completion.slice(0, -4)}AAAA`, incomplete.body.result.jwt, 42]) {
      const refused = await deploy(namespace, 'bad-deploy', { assets: { jwt }, bindings: [{ type: 'assets', name: 'ASSETS' }] });
      assert.equal(refused.status, 400, String(jwt));
      assert.equal(refused.body.success, false);
    }
    for (const config of [{ html_handling: 'sideways' }, { not_found_handling: 'teapot' }, ['array']]) {
      const refused = await deploy(namespace, 'bad-deploy', { assets: { jwt: completion, config } });
      assert.equal(refused.status, 400, JSON.stringify(config));
    }
    const bindingWithoutAssets = await deploy(namespace, 'bad-deploy', { bindings: [{ type: 'assets', name: 'ASSETS' }] });
    assert.equal(bindingWithoutAssets.status, 400);
    assert.match(bindingWithoutAssets.body.errors[0].message, /needs assets/);
    assert.equal((await api.get(`/workers/dispatch/namespaces/${namespace}/scripts/bad-deploy`)).status, 404, 'no refused deploy created the script');

    const otherScript = await deployWithAssets(namespace, 'another-script', completion);
    assert.equal(otherScript.status, 400, "one script's completion token does not deploy assets to another");
    assert.match(otherScript.body.errors[0].message, /session of script "bad-deploy"/);

    const ok = await deployWithAssets(namespace, 'bad-deploy', completion);
    assert.equal(ok.status, 200, JSON.stringify(ok.body.errors));
  });

  it('keeps the assets on a redeploy with keep_assets: true, and drops them without it', async () => {
    const namespace = await newNamespace('assets-keep');
    const completion = await uploadSite(namespace, 'keeper', sha256Site({ '/index.html': unique('keep me') }));
    assert.equal((await deployWithAssets(namespace, 'keeper', completion)).status, 200);
    await assertHasAssets(namespace, 'keeper', true);

    const kept = await deploy(namespace, 'keeper', { keep_assets: true, bindings: [{ type: 'assets', name: 'ASSETS' }] });
    assert.equal(kept.status, 200, JSON.stringify(kept.body.errors));
    assert.equal(kept.body.result.has_assets, true);
    await assertHasAssets(namespace, 'keeper', true);

    const newConfig = await deploy(namespace, 'keeper', { assets: { config: { not_found_handling: '404-page' } }, bindings: [{ type: 'assets', name: 'ASSETS' }] });
    assert.equal(newConfig.status, 200, JSON.stringify(newConfig.body.errors));
    assert.equal(newConfig.body.result.has_assets, true, 'assets without a jwt keep the files and take the new config');

    const versions = await api.get(`/workers/dispatch/namespaces/${namespace}/scripts/keeper/versions`);
    assert.equal(versions.status, 200);

    const dropped = await deploy(namespace, 'keeper', {});
    assert.equal(dropped.status, 200, JSON.stringify(dropped.body.errors));
    assert.equal(dropped.body.result.has_assets, false);
    await assertHasAssets(namespace, 'keeper', false);
    const nothingToKeep = await deploy(namespace, 'keeper', { keep_assets: true });
    assert.equal(nothingToKeep.status, 200);
    assert.equal(nothingToKeep.body.result.has_assets, false);
    const configWithoutFiles = await deploy(namespace, 'keeper', { assets: { config: {} } });
    assert.equal(configWithoutFiles.status, 400, 'a config alone needs files to keep');
  });

  it("stores assets per account: another account can neither use this account's token nor see its files", async () => {
    const mine = await newNamespace('assets-private');
    const secretPage = `<h1>${unique('account A only')}</h1>`;
    const site = sha256Site({ '/index.html': secretPage });
    const completion = await uploadSite(mine, 'private-site', site);
    assert.equal((await deployWithAssets(mine, 'private-site', completion)).status, 200);

    const tenantB = await newAccount(api, platform, 'assets tenant b');
    const theirs = await newNamespace('assets-theirs', tenantB);

    const stolen = await deployWithAssets(theirs, 'thief', completion, {}, tenantB);
    assert.equal(stolen.status, 400, "another account's completion token is refused");
    assert.match(stolen.body.errors[0].message, /completion token/);

    const probe = await startSession(theirs, 'thief', manifestOf(site), tenantB);
    assert.equal(probe.status, 200);
    assert.deepEqual(probe.body.result.buckets, [[site['/index.html'].hash]], 'account B must upload the file itself');
    assert.equal((await upload(probe.body.result.jwt, [[site['/index.html'].hash, secretPage]], platform.accountId)).status, 401, "B's upload token does not work on A's account");
    const intoA = new Api(platform, tenantB.token, platform.accountId);
    assert.equal((await startSession(mine, 'private-site', manifestOf(site), intoA)).status, 403);

    // Once B uploads the file itself, B has its own copy and can deploy.
    const uploaded = await upload(probe.body.result.jwt, [[site['/index.html'].hash, secretPage]], tenantB.accountId);
    assert.equal(uploaded.status, 201);
    const deployed = await uploadScript(tenantB, theirs, 'thief', { assets: { jwt: uploaded.body.result!.jwt }, bindings: [{ type: 'assets', name: 'ASSETS' }] }, [
      esModule('index.mjs', 'export default { fetch() { return new Response("b"); } };'),
    ]);
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body.errors));
  });
});
