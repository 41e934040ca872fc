import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { removeDataDir, startPlatform, type RunningPlatform } from './helpers/platform.ts';

describe('a bounded number of loaded isolates per runner', () => {
  let platform: RunningPlatform;

  before(async () => {
    platform = await startPlatform({ env: { SWITCHYARD_RUNNERS: '1', SWITCHYARD_RUNNER_MAX_ISOLATES: '5' } });
    const api = new Api(platform);
    for (let i = 0; i < 12; i++) {
      assert.equal((await uploadScript(api, 'production', `tenant-${i}`, {}, [esModule('index.mjs', `export default { fetch() { return new Response('tenant ${i}'); } };`)])).status, 200);
    }
  });
  after(async () => {
    await platform.stop();
    await removeDataDir(platform);
  });

  it('replaces a runner past the cap without failing a request', async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 12; i++) {
        const response = await visit(platform.ingress, `tenant-${i}`);
        assert.equal(`${response.status} ${response.body}`, `200 tenant ${i}`);
      }
      await sleep(50);
    }
    const replacements = platform.output().match(/holds \d+ versions \(cap 5\); replacing it/g) ?? [];
    assert.ok(replacements.length >= 2, `the runner was replaced ${replacements.length} times`);
  });
});
