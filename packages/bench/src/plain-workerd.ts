import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderConfig, workerdBinary } from '@switchyard/runtime';
import { freePort } from '@switchyard/runtime/free-port';

/**
 * The baseline: a script served by plain workerd, one service, no dispatch. With `loader`, the
 * service gets a Worker Loader binding: the ceiling any design built on the loader can reach.
 */
export async function startPlainWorkerd(source: string, options: { loader?: boolean } = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-plain-'));
  const port = await freePort('127.0.0.1');
  const config = renderConfig({
    services: [
      {
        name: 'hello',
        worker: {
          modules: [{ name: 'index.mjs', esModule: source }],
          compatibilityDate: '2025-09-01',
          bindings: options.loader ? [{ name: 'LOADER', workerLoader: {} }] : [],
        },
      },
    ],
    sockets: [{ name: 'http', address: `127.0.0.1:${port}`, service: { name: 'hello' } }],
  });
  await writeFile(join(dir, 'config.capnp'), config);
  const child = spawn(workerdBinary(), ['serve', join(dir, 'config.capnp'), ...(options.loader ? ['--experimental'] : [])], { stdio: 'inherit' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      await sleep(25);
    }
  }
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
