import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const hostEntry = fileURLToPath(new URL('../../../dispatcher/src/host.ts', import.meta.url));

/**
 * Bundles the dispatcher host with the owner's dispatch worker into one ES module for workerd.
 * The owner's module is reached through the `switchyard:owner-dispatch-worker` specifier.
 */
export async function bundleDispatcher(ownerMain: string): Promise<string> {
  const result = await build({
    entryPoints: [hostEntry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    write: false,
    external: ['cloudflare:*', 'node:*'],
    alias: { 'switchyard:owner-dispatch-worker': ownerMain },
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
