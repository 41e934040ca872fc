import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Api } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';
import { wrangler } from './helpers/wrangler.ts';

const projects: string[] = [];

async function project(vars: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-wrangler-project-'));
  projects.push(dir);
  await mkdir(join(dir, 'src'));
  await mkdir(join(dir, 'public', 'docs'), { recursive: true });
  const varLines = Object.entries(vars).map(([key, value]) => `${key} = ${JSON.stringify(value)}`).join('\n');
  await writeFile(
    join(dir, 'wrangler.toml'),
    `name = "shop"\nmain = "src/index.ts"\ncompatibility_date = "2025-09-01"\n\n[vars]\n${varLines}\n\n[assets]\ndirectory = "./public"\nbinding = "ASSETS"\n`,
  );
  await writeFile(
    join(dir, 'src', 'index.ts'),
    `interface Env { GREETING: string; ASSETS: Fetcher }
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === '/api') return new Response(env.GREETING);
    return env.ASSETS.fetch(request);
  },
};
`,
  );
  await writeFile(join(dir, 'public', 'index.html'), '<h1>shop</h1>');
  await writeFile(join(dir, 'public', 'docs', 'index.html'), '<h1>docs</h1>');
  return dir;
}

describe('wrangler 4 against Switchyard, unchanged', () => {
  let platform: RunningPlatform;
  let api: Api;

  usePlatform({}, (started) => ({ platform, api } = started));
  after(() => Promise.all(projects.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('manages dispatch namespaces: create, list, get, rename, delete', async () => {
    const created = await wrangler(platform, ['dispatch-namespace', 'create', 'tenants']);
    assert.equal(created.code, 0, created.output);
    assert.match(created.output, /Created dispatch namespace "tenants" with ID "[0-9a-f-]{36}"/);
    const listed = await wrangler(platform, ['dispatch-namespace', 'list']);
    assert.equal(listed.code, 0, listed.output);
    assert.match(listed.output, /namespace_name: 'tenants'/);
    assert.match(listed.output, /namespace_name: 'production'/);
    const got = await wrangler(platform, ['dispatch-namespace', 'get', 'tenants']);
    assert.equal(got.code, 0, got.output);
    assert.match(got.output, /script_count: 0/);
    const renamed = await wrangler(platform, ['dispatch-namespace', 'rename', 'tenants', 'customers']);
    assert.equal(renamed.code, 0, renamed.output);
    assert.equal((await api.get('/workers/dispatch/namespaces/customers')).status, 200);
    const deleted = await wrangler(platform, ['dispatch-namespace', 'delete', 'customers']);
    assert.equal(deleted.code, 0, deleted.output);
    assert.equal((await api.get('/workers/dispatch/namespaces/customers')).status, 404);
  });

  it('deploys a module worker with vars and an assets directory, then redeploys', async () => {
    const dir = await project({ GREETING: 'hello from vars' });
    const deployed = await wrangler(platform, ['deploy', '--dispatch-namespace', 'production'], { cwd: dir });
    assert.equal(deployed.code, 0, deployed.output);
    assert.match(deployed.output, /Uploaded 2 of 2 assets/);
    assert.match(deployed.output, /Current Version ID: [0-9a-f-]{36}/);
    assert.equal((await visit(platform.ingress, 'shop', '/api')).body, 'hello from vars');
    assert.equal((await visit(platform.ingress, 'shop', '/')).body, '<h1>shop</h1>');
    assert.equal((await visit(platform.ingress, 'shop', '/docs/')).body, '<h1>docs</h1>');

    const details = await api.get('/workers/dispatch/namespaces/production/scripts/shop');
    assert.equal(details.body.result.script.has_assets, true);
    const bindings = await api.get('/workers/dispatch/namespaces/production/scripts/shop/bindings');
    assert.deepEqual(
      bindings.body.result.map((b: { name: string; type: string }) => `${b.type}:${b.name}`).sort(),
      ['assets:ASSETS', 'plain_text:GREETING'],
    );

    const config = await readFile(join(dir, 'wrangler.toml'), 'utf8');
    await writeFile(join(dir, 'wrangler.toml'), config.replace('hello from vars', 'hello again'));
    const redeployed = await wrangler(platform, ['deploy', '--dispatch-namespace', 'production'], { cwd: dir });
    assert.equal(redeployed.code, 0, redeployed.output);
    assert.match(redeployed.output, /No updated asset files to upload/);
    assert.equal((await visit(platform.ingress, 'shop', '/api')).body, 'hello again');
    assert.equal((await visit(platform.ingress, 'shop', '/')).body, '<h1>shop</h1>');
    const versions = await api.get('/workers/dispatch/namespaces/production/scripts/shop/versions');
    assert.equal(versions.body.result.length, 2);
  });

  it('manages a dispatch script\'s secrets with `wrangler secret`, which has no --dispatch-namespace', async () => {
    const put = await wrangler(platform, ['secret', 'put', 'API_KEY', '--name', 'shop'], { input: 'from-wrangler\n' });
    assert.equal(put.code, 0, put.output);
    const listed = await wrangler(platform, ['secret', 'list', '--name', 'shop']);
    assert.equal(listed.code, 0, listed.output);
    assert.match(listed.output, /"name": "API_KEY"/);
    const secrets = await api.get('/workers/dispatch/namespaces/production/scripts/shop/secrets');
    assert.deepEqual(secrets.body.result, [{ name: 'API_KEY', type: 'secret_text' }]);
    const deleted = await wrangler(platform, ['secret', 'delete', 'API_KEY', '--name', 'shop'], { input: 'y\n' });
    assert.equal(deleted.code, 0, deleted.output);
    assert.deepEqual((await api.get('/workers/dispatch/namespaces/production/scripts/shop/secrets')).body.result, []);
    const unknown = await wrangler(platform, ['secret', 'list', '--name', 'nobody']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.output, /no Worker "nobody"|not found|10007/i);
  });

  it('reports a script that fails to start as a deploy error', async () => {
    const dir = await project({ GREETING: 'x' });
    await writeFile(join(dir, 'src', 'index.ts'), `throw new Error('cannot start'); export default {};\n`);
    const failed = await wrangler(platform, ['deploy', '--dispatch-namespace', 'production'], { cwd: dir });
    assert.notEqual(failed.code, 0);
    assert.match(failed.output, /cannot start/);
    assert.match(failed.output, /code: 10021/);
  });
});
