import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const hostEntry = fileURLToPath(new URL('../../../dispatcher/src/host.ts', import.meta.url));
const defaultOutbound = fileURLToPath(new URL('../../../outbound/src/index.ts', import.meta.url));

/**
 * Bundles the dispatcher host with the owner's dispatch worker (and outbound worker, else the
 * default one) into one ES module for workerd, through `switchyard:owner-*` specifiers.
 */
export async function bundleDispatcher(ownerMain: string, outboundMain = defaultOutbound): Promise<string> {
  const result = await build({
    entryPoints: [hostEntry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    write: false,
    external: ['cloudflare:*', 'node:*'],
    alias: { 'switchyard:owner-dispatch-worker': ownerMain, 'switchyard:owner-outbound-worker': outboundMain },
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
