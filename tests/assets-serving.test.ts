import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { uploadAssets } from './helpers/assets.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

const site = {
  '/index.html': '<h1>home</h1>',
  '/about.html': '<h1>about</h1>',
  '/docs/index.html': '<h1>docs</h1>',
  '/404.html': '<h1>not here</h1>',
  '/app.js': 'console.log("app")',
};

describe('static assets served through the ingress', () => {
  let platform: RunningPlatform;
  let api: Api;

  const deployWithAssets = async (name: string, config: Record<string, unknown>, source: string) => {
    const jwt = await uploadAssets(api, 'production', name, site);
    const uploaded = await uploadScript(api, 'production', name, { assets: { jwt, config }, bindings: [{ type: 'assets', name: 'ASSETS' }] }, [esModule('index.mjs', source)]);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
  };

  usePlatform({}, (started) => ({ platform, api } = started));

  it('serves matching assets first, without waking the script', async () => {
    await deployWithAssets('site', {}, `export default { fetch(request) { if (new URL(request.url).pathname === '/api') return new Response('from worker'); throw new Error('the script must not run for assets'); } };`);
    const home = await visit(platform.ingress, 'site', '/');
    assert.equal(home.status, 200);
    assert.equal(home.body, '<h1>home</h1>');
    assert.match(String(home.headers['content-type']), /text\/html/);
    const script = await visit(platform.ingress, 'site', '/app.js');
    assert.equal(script.body, 'console.log("app")');
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.equal((await visit(platform.ingress, 'site', '/api')).body, 'from worker');
    const etag = String(home.headers.etag);
    assert.equal((await visit(platform.ingress, 'site', '/', { headers: { 'if-none-match': etag } })).status, 304);
  });

  it('applies html_handling auto-trailing-slash (the default)', async () => {
    assert.equal((await visit(platform.ingress, 'site', '/about')).body, '<h1>about</h1>');
    const dropHtml = await visit(platform.ingress, 'site', '/about.html');
    assert.equal(dropHtml.status, 307);
    assert.equal(dropHtml.headers.location, '/about');
    assert.equal((await visit(platform.ingress, 'site', '/docs/')).body, '<h1>docs</h1>');
    const addSlash = await visit(platform.ingress, 'site', '/docs');
    assert.equal(addSlash.status, 307);
    assert.equal(addSlash.headers.location, '/docs/');
  });

  it('applies html_handling force-trailing-slash and drop-trailing-slash', async () => {
    const source = `export default { fetch(request, env) { return env.ASSETS.fetch(request); } };`;
    await deployWithAssets('forced', { html_handling: 'force-trailing-slash' }, source);
    assert.equal((await visit(platform.ingress, 'forced', '/about')).headers.location, '/about/');
    assert.equal((await visit(platform.ingress, 'forced', '/about/')).body, '<h1>about</h1>');
    await deployWithAssets('dropped', { html_handling: 'drop-trailing-slash' }, source);
    assert.equal((await visit(platform.ingress, 'dropped', '/docs/')).headers.location, '/docs');
    assert.equal((await visit(platform.ingress, 'dropped', '/docs')).body, '<h1>docs</h1>');
  });

  it('applies not_found_handling through env.ASSETS.fetch', async () => {
    const source = `export default { fetch(request, env) { return env.ASSETS.fetch(request); } };`;
    await deployWithAssets('page404', { not_found_handling: '404-page' }, source);
    const missing = await visit(platform.ingress, 'page404', '/nope/deeper');
    assert.equal(missing.status, 404);
    assert.equal(missing.body, '<h1>not here</h1>');
    await deployWithAssets('spa', { not_found_handling: 'single-page-application' }, source);
    const route = await visit(platform.ingress, 'spa', '/some/client/route');
    assert.equal(route.status, 200);
    assert.equal(route.body, '<h1>home</h1>');
    await deployWithAssets('plain', {}, source);
    assert.equal((await visit(platform.ingress, 'plain', '/nope')).status, 404);
  });

  it('keeps serving the assets after a redeploy with keep_assets', async () => {
    const uploaded = await uploadScript(api, 'production', 'site', { keep_assets: true, bindings: [{ type: 'assets', name: 'ASSETS' }] }, [
      esModule('index.mjs', `export default { fetch() { return new Response('v2 worker'); } };`),
    ]);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
    assert.equal((await visit(platform.ingress, 'site', '/about')).body, '<h1>about</h1>');
    assert.equal((await visit(platform.ingress, 'site', '/api')).body, 'v2 worker');
  });
});
