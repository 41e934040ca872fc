import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api, esModule, uploadScript } from './helpers/api.ts';
import { visit } from './helpers/ingress.ts';
import { type RunningPlatform, usePlatform } from './helpers/platform.ts';

describe('a bounded number of loaded isolates per runner', () => {
  let platform: RunningPlatform;

  usePlatform({ env: { SWITCHYARD_RUNNERS: '1', SWITCHYARD_RUNNER_MAX_ISOLATES: '5' } }, async (started) => {
    platform = started.platform;
    const api = new Api(platform);
    for (let i = 0; i < 12; i++) {
      assert.equal((await uploadScript(api, 'production', `tenant-${i}`, {}, [esModule('index.mjs', `export default { fetch() { return new Response('tenant ${i}'); } };`)])).status, 200);
    }
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
