import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { freePort, startSwitchyard, type SwitchyardProcess } from './helpers/processes.ts';

const versionSource = (text: string) => `export default { fetch() { return new Response(${JSON.stringify(text)}); } };`;

describe('api and node as separate processes', { timeout: 180_000 }, () => {
  const accountId = randomBytes(16).toString('hex');
  const token = randomBytes(24).toString('base64url');
  const nodeToken = randomBytes(24).toString('base64url');
  let apiDir: string;
  let nodeDir: string;
  let apiPort: number;
  let httpPort: number;
  let apiProcess: SwitchyardProcess | undefined;
  let nodeProcess: SwitchyardProcess | undefined;
  let origin: string;
  let ingress: string;
  let api: Api;

  const startApi = async () => {
    apiProcess = await startSwitchyard('api', {
      SWITCHYARD_DATA_DIR: apiDir,
      SWITCHYARD_API_PORT: String(apiPort),
      SWITCHYARD_ACCOUNT_ID: accountId,
      SWITCHYARD_API_TOKEN: token,
      SWITCHYARD_NODE_TOKEN: nodeToken,
    });
    origin = apiProcess.url;
    api = new Api({ apiBase: `${origin}/client/v4`, token, accountId });
  };
  const startNode = async () => {
    nodeProcess = await startSwitchyard('node', {
      SWITCHYARD_CONTROL_URL: `http://127.0.0.1:${apiPort}`,
      SWITCHYARD_NODE_TOKEN: nodeToken,
      SWITCHYARD_NODE_DIR: nodeDir,
      SWITCHYARD_HTTP_PORT: String(httpPort),
    });
    ingress = nodeProcess.url;
  };
  const deploy = (text: string) => uploadScript(api, 'production', 'survivor', {}, [esModule('worker.mjs', versionSource(text))]);

  before(async () => {
    apiDir = await mkdtemp(join(tmpdir(), 'switchyard-api-'));
    nodeDir = await mkdtemp(join(tmpdir(), 'switchyard-node-'));
    apiPort = await freePort();
    httpPort = await freePort();
    await startApi();
    await startNode();
  });

  after(async () => {
    await Promise.all([nodeProcess?.stop(5000), apiProcess?.stop(5000)]);
    for (const dir of [apiDir, nodeDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('deploys through the API and serves through the node’s ingress', async () => {
    assert.equal(origin, `http://127.0.0.1:${apiPort}`);
    assert.equal(ingress, `http://127.0.0.1:${httpPort}`);
    const uploaded = await deploy('v1');
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));
    const served = await visit(ingress, 'survivor');
    assert.equal(served.status, 200);
    assert.equal(served.body, 'v1');
  });

  it('keeps the internal API to the node token, and the node token out of the public API', async () => {
    const internal = `${origin}/internal/v1/platform`;
    for (const authorization of [undefined, `Bearer ${token}`, `Bearer ${nodeToken}x`, nodeToken]) {
      const refused = await fetch(internal, { headers: authorization === undefined ? {} : { authorization } });
      assert.equal(refused.status, 401, `internal API with authorization ${JSON.stringify(authorization)}`);
      const body = (await refused.json()) as { success: boolean; errors: { code: number; message: string }[] };
      assert.equal(body.success, false);
      assert.equal(body.errors[0].code, 20002);
      assert.doesNotMatch(JSON.stringify(body), new RegExp(nodeToken), 'the refusal does not echo the node token');
    }
    const unauthenticatedFeed = await fetch(`${origin}/internal/v1/changes?node=intruder`);
    assert.equal(unauthenticatedFeed.status, 401);
    assert.equal(((await unauthenticatedFeed.json()) as { errors: { code: number }[] }).errors[0].code, 20002);

    const allowed = await fetch(internal, { headers: { authorization: `Bearer ${nodeToken}` } });
    assert.equal(allowed.status, 200, 'the node token itself is accepted on the internal API');
    assert.deepEqual(await allowed.json(), { defaultAccountId: accountId });

    const asNode = new Api({ apiBase: `${origin}/client/v4`, token: nodeToken, accountId });
    const listed = await asNode.get('/workers/dispatch/namespaces');
    assert.ok(listed.status === 401 || listed.status === 403, `public API with the node token answered ${listed.status}`);
    assert.equal(listed.body.success, false);
    const upload = await uploadScript(asNode, 'production', 'survivor', {}, [esModule('worker.mjs', versionSource('hijacked'))]);
    assert.ok(upload.status === 401 || upload.status === 403, `upload with the node token answered ${upload.status}`);
    assert.equal((await visit(ingress, 'survivor')).body, 'v1');
  });

  it('keeps serving v1 while the API is down, across a restart of the node itself', async () => {
    await apiProcess!.stop();
    await assert.rejects(fetch(`${origin}/healthz`), 'the API is down');
    for (let i = 0; i < 5; i++) {
      const served = await visit(ingress, 'survivor');
      assert.equal(served.status, 200);
      assert.equal(served.body, 'v1');
    }

    await nodeProcess!.stop();
    await assert.rejects(visit(ingress, 'survivor'), 'the node is down');
    await startNode();
    assert.equal(ingress, `http://127.0.0.1:${httpPort}`, 'the node came back on the same ingress port');
    await assert.rejects(fetch(`${origin}/healthz`), 'the API is still down');
    for (let i = 0; i < 5; i++) {
      const served = await visit(ingress, 'survivor');
      assert.equal(served.status, 200, served.body);
      assert.equal(served.body, 'v1');
    }
  });

  it('serves a deploy made after the API is back within one second of its acknowledgement', async (t) => {
    await startApi();
    assert.equal(origin, `http://127.0.0.1:${apiPort}`);
    assert.equal((await visit(ingress, 'survivor')).body, 'v1');

    // An upload needs a connected node: the node reconnects by itself, so retry while none is (503, 10013), for a bounded time.
    const reconnectDeadline = Date.now() + 15_000;
    let uploaded = await deploy('v2');
    let attempts = 1;
    while (uploaded.status === 503 && uploaded.body.errors[0]?.code === 10013 && Date.now() < reconnectDeadline) {
      await sleep(100);
      uploaded = await deploy('v2');
      attempts++;
    }
    const acknowledgedAt = Date.now();
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body.errors));

    let body = '';
    let servedAfterMs = Infinity;
    while (Date.now() - acknowledgedAt < 1000) {
      body = (await visit(ingress, 'survivor')).body;
      if (body === 'v2') {
        servedAfterMs = Date.now() - acknowledgedAt;
        break;
      }
      await sleep(50);
    }
    assert.equal(body, 'v2', `the ingress still served ${JSON.stringify(body)} 1 s after the upload was acknowledged`);
    assert.ok(servedAfterMs <= 1000, `v2 was first served ${servedAfterMs} ms after the upload was acknowledged`);
    t.diagnostic(`upload attempts until a node was connected: ${attempts}; v2 first served ${servedAfterMs} ms after the acknowledgement`);
    assert.equal((await visit(ingress, 'survivor')).body, 'v2');
  });
});
