import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api, esModule, uploadScript, workerForm } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { startPlatform, usePlatform, type RunningPlatform } from './helpers/platform.ts';

/** Sends a multipart upload slowly, part by part, so the platform can be killed in the middle of it. */
async function slowUpload(api: Api, path: string, form: FormData, onProgress: (sentBytes: number) => void) {
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  const url = new URL(api.url(path));
  return new Promise<void>((resolve) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'PUT',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': encoded.headers.get('content-type')!, 'content-length': body.length },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
    let offset = 0;
    const chunk = 256 * 1024;
    const pump = () => {
      if (offset >= body.length) return req.end();
      req.write(body.subarray(offset, offset + chunk));
      offset += chunk;
      onProgress(offset);
      setTimeout(pump, 5);
    };
    pump();
  });
}

const versionSource = (version: string, padding: number) =>
  `export default { fetch() { return new Response(${JSON.stringify(version)}); } };\n// ${'x'.repeat(padding)}\n`;

describe('nothing acknowledged is lost; a crash mid-upload leaves a whole version', () => {
  let platform: RunningPlatform;
  let api: Api;

  const suite = usePlatform({}, (started) => ({ platform, api } = started));

  const restart = async () => {
    platform = await startPlatform({ dataDir: platform.dataDir, accountId: platform.accountId, token: platform.token });
    api = new Api(platform);
    suite.follow(platform);
  };

  it('serves either the old or the new version, complete, after SIGKILL at any point of an upload', async () => {
    assert.equal((await uploadScript(api, 'production', 'crashy', {}, [esModule('index.mjs', versionSource('v0', 10))])).status, 200);
    let expectedVersions = ['v0'];
    // Kill at several points: while the body streams in, and just around the moment it completes.
    for (const [round, killAtFraction] of [0.2, 0.6, 0.95, 1, 1].entries()) {
      const version = `v${round + 1}`;
      const modules = [esModule('index.mjs', versionSource(version, 1024)), ...Array.from({ length: 8 }, (_, i) => ({
        name: `blob${i}.bin`,
        type: 'application/octet-stream',
        content: new Uint8Array(512 * 1024).fill(round * 10 + i),
      }))];
      const form = workerForm({ main_module: 'index.mjs' }, modules);
      const total = (await new Response(workerForm({ main_module: 'index.mjs' }, modules)).arrayBuffer()).byteLength;
      let killed = false;
      const upload = slowUpload(api, '/workers/dispatch/namespaces/production/scripts/crashy', form, (sent) => {
        if (!killed && sent >= total * killAtFraction && killAtFraction < 1) {
          killed = true;
          void platform.kill();
        }
      });
      if (killAtFraction === 1) {
        // The whole body is sent; kill while the server may be writing blobs or committing.
        await sleep(round === 3 ? 40 : 0);
        await sleep(total / (256 * 1024) * 5);
        killed = true;
        await platform.kill();
      }
      await upload;
      await platform.kill();
      await restart();
      expectedVersions = [...expectedVersions, version];
      const details = await api.get('/workers/dispatch/namespaces/production/scripts/crashy');
      assert.equal(details.status, 200);
      const served = (await visit(platform.ingress, 'crashy')).body;
      assert.ok(expectedVersions.slice(-2).includes(served), `served ${served}, expected one of ${expectedVersions.slice(-2)}`);
      const content = await api.raw('GET', '/workers/dispatch/namespaces/production/scripts/crashy/content');
      const parts = await new Response(content.body, { headers: content.headers }).formData();
      const main = await (parts.get('index.mjs') as File).text();
      assert.ok(main.includes(JSON.stringify(served)), 'the stored content is the version being served');
      if (served !== 'v0') {
        for (let i = 0; i < 8; i++) {
          const blob = new Uint8Array(await (parts.get(`blob${i}.bin`) as File).arrayBuffer());
          assert.equal(blob.length, 512 * 1024);
          assert.ok(blob.every((byte) => byte === Number(served.slice(1)) * 10 - 10 + i), `blob${i} is whole and belongs to ${served}`);
        }
      }
      if (served !== version) expectedVersions = expectedVersions.slice(0, -1);
    }
  });

  it('keeps every acknowledged write across a SIGKILL', async () => {
    await api.post('/workers/dispatch/namespaces', { name: 'durable' });
    const kv = (await api.post('/storage/kv/namespaces', { title: 'durable-kv' })).body.result.id as string;
    for (let i = 0; i < 10; i++) {
      assert.equal((await uploadScript(api, 'durable', `s${i}`, { tags: [`t${i}`] }, [esModule('index.mjs', versionSource(`s${i}`, 1))])).status, 200);
      assert.equal((await api.call('PUT', `/storage/kv/namespaces/${kv}/values/k${i}`, `value ${i}`)).status, 200);
    }
    assert.equal((await api.put('/workers/dispatch/namespaces/durable/scripts/s0/secrets', { name: 'S', text: 'kept', type: 'secret_text' })).status, 200);
    await platform.kill();
    await restart();
    const listed = await api.get('/workers/dispatch/namespaces/durable/scripts?per_page=100');
    assert.deepEqual(listed.body.result.map((s: { script: { id: string } }) => s.script.id).sort(), Array.from({ length: 10 }, (_, i) => `s${i}`).sort());
    for (let i = 0; i < 10; i++) assert.equal(await (await api.raw('GET', `/storage/kv/namespaces/${kv}/values/k${i}`)).text(), `value ${i}`);
    const secrets = await api.get('/workers/dispatch/namespaces/durable/scripts/s0/secrets');
    assert.deepEqual(secrets.body.result, [{ name: 'S', type: 'secret_text' }]);
  });
});
