import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { descendants } from '../packages/bench/src/process-memory.ts';
import { repoRoot } from './helpers/platform.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('stopping `npm start`', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops every process of the platform within 5 s of ${signal} to the npm process, and frees its ports`, { timeout: 90_000 }, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-stop-'));
      const npm = spawn('npm', ['start'], {
        cwd: repoRoot,
        env: { ...process.env, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_API_PORT: '0', SWITCHYARD_HTTP_PORT: '0', SWITCHYARD_API_TOKEN: randomBytes(24).toString('base64url') },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so that whatever happens the test can end everything it started.
        detached: true,
      });
      let processes: number[] = [];
      try {
        let output = '';
        const api = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`npm start did not serve within 60 s:\n${output}`)), 60_000);
          const onData = (chunk: Buffer) => {
            output += chunk.toString();
            const match = /switchyard: API listening on (http:\/\/\S+)\/client\/v4/.exec(output);
            if (match) {
              clearTimeout(timer);
              resolve(match[1]);
            }
          };
          npm.stdout!.on('data', onData);
          npm.stderr!.on('data', onData);
        });
        const ingress = /switchyard: traffic ingress on (http:\/\/\S+)/.exec(output)![1];
        processes = descendants(npm.pid!);
        assert.ok(processes.length >= 6, `npm, its shell, the bootstrap, the platform, the api, the node and workerd processes; found ${processes.length}`);
        assert.equal((await fetch(`${api}/healthz`)).status, 200);

        npm.kill(signal);
        const started = Date.now();
        while (processes.some(alive) && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 50));
        const left = processes.filter(alive);
        assert.deepEqual(left, [], `still running ${Date.now() - started} ms after ${signal}`);
        await assert.rejects(fetch(`${api}/healthz`), 'the API port is closed');
        await assert.rejects(fetch(ingress), 'the ingress port is closed');
      } finally {
        for (const pid of [...processes, ...descendants(npm.pid!)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
        try {
          process.kill(-npm.pid!, 'SIGKILL');
        } catch {
          // the group is gone already: what the test is about
        }
        npm.stdout!.destroy();
        npm.stderr!.destroy();
        npm.unref();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }
});
